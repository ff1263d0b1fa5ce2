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
    internal async Task<RealtimeAnswer> ConnectedMeetingsAsync()
    {
        var group = await services.ConnectedMeetings.ViewAsync(_room!.Meeting, CancellationToken.None).ConfigureAwait(false);
        return new ConnectedMeetingsAnswer(ConnectedMeetingChannelView.Of(group.Parent), ConnectedMeetingChannelView.Of(group.Rooms));
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

    /// <summary>
    /// How long the socket of a peer moved to another meeting stays open, unless the client closes it first: the answer
    /// to a request that moved its own peer (a host moving itself with others) comes after the <c>moved</c>.
    /// </summary>
    private static readonly TimeSpan MovedSocketLinger = TimeSpan.FromSeconds(2);

    /// <summary>
    /// This client's peer was moved (<see cref="MeetingRoom.MoveOutAsync"/>): told where; requests from then on are
    /// refused, and the socket closes with 4002 after <see cref="MovedSocketLinger"/>.
    /// </summary>
    private void Moved(TransferredTo transfer)
    {
        Send(new MovedMessage(transfer.MeetingId, transfer.Token));
        Connection.CloseAfter(MovedSocketLinger, MeetingSocketCloseCodes.Moved, "moved to another meeting");
    }
}
