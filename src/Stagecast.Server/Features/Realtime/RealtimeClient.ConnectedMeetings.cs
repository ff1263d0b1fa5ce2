using Stagecast.Server.Features.MeetingSockets;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// Breakout rooms (RealtimeKit's connected meetings) on the channel, with the rules of <see cref="ConnectedMeetings"/>:
/// the group's view, rooms made and closed, people moved. A moved peer is told where to go (<c>moved</c>, with a token
/// there) and its socket closes: the client joins the other meeting on a new one.
/// </summary>
public sealed partial class RealtimeClient
{
    /// <summary>The channel's client follows a <c>moved</c> into another meeting of the group.</summary>
    public bool FollowsMoves => true;

    internal async Task<RealtimeAnswer> ConnectedMeetingsAsync()
    {
        var group = await services.ConnectedMeetings.ViewAsync(_room!.Meeting, CancellationToken.None).ConfigureAwait(false);
        return new ConnectedMeetingsAnswer(ConnectedMeetingChannelView.Of(group.Parent), [.. group.Rooms.Select(ConnectedMeetingChannelView.Of)]);
    }

    internal async Task<RealtimeAnswer> CreateConnectedMeetingsAsync(ConnectedMeetingsCreateRequest request)
    {
        await RecheckCredentialAsync().ConfigureAwait(false);
        var made = await services.ConnectedMeetings.CreateAsync(_peer!, _room!.Meeting, request.Titles!, CancellationToken.None).ConfigureAwait(false);
        return new ConnectedRoomsAnswer(ConnectedRoomView.Of(made));
    }

    internal async Task<RealtimeAnswer> DeleteConnectedMeetingsAsync(ConnectedMeetingsDeleteRequest request)
    {
        await RecheckCredentialAsync().ConfigureAwait(false);
        var closed = await services.ConnectedMeetings.CloseAsync(_peer!, _room!.Meeting, request.MeetingIds!, CancellationToken.None).ConfigureAwait(false);
        return new ConnectedRoomsAnswer(ConnectedRoomView.Of(closed));
    }

    internal async Task<RealtimeAnswer> MoveParticipantsAsync(ConnectedMeetingsMoveRequest request)
    {
        await RecheckCredentialAsync().ConfigureAwait(false);
        await services.ConnectedMeetings.MoveAsync(_peer!, _room!.Meeting, request.SourceMeetingId!, request.DestinationMeetingId!,
            [.. request.ParticipantIds!.Select(id => (id, request.PresetId))], CancellationToken.None).ConfigureAwait(false);
        return EmptyAnswer.Instance;
    }

    /// <summary>This client's peer was moved (<see cref="MeetingRoom.MoveOutAsync"/>): told where, then its socket closes.</summary>
    private void Moved(TransferredTo transfer)
    {
        Send(new MovedMessage(transfer.MeetingId, transfer.Token));
        Connection.Close(MeetingSocketCloseCodes.Moved, "moved to another meeting");
    }
}
