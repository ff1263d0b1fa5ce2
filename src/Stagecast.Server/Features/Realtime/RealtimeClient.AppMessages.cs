using System.Text;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.Realtime;

/// <summary>App messages on the channel (<see cref="RoomAppMessages.Send"/>): the sender's answer is empty, the others get <c>broadcast_message</c>.</summary>
public sealed partial class RealtimeClient
{
    /// <summary>
    /// <c>broadcast_send</c>: to every other peer, to the peers <c>peer_ids</c> names, or to everyone in the meetings of
    /// the group <c>meeting_ids</c> names (<see cref="ConnectedMeetings.BroadcastAsync"/>: a host's word to every room).
    /// </summary>
    internal async Task<RealtimeAnswer> BroadcastAsync(BroadcastRequest request)
    {
        var payload = Encoding.UTF8.GetBytes(request.Payload!.Value.GetRawText());
        var message = AppMessage.Create(request.MessageType, payload, _peer, services.Time.GetUtcNow());
        if (request.MeetingIds is { } meetingIds)
        {
            await RecheckCredentialAsync().ConfigureAwait(false);
            await services.ConnectedMeetings.BroadcastAsync(_room!, message, meetingIds, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            _room!.AppMessages.Send(message, request.PeerIds?.ToHashSet(StringComparer.Ordinal));
        }

        return EmptyAnswer.Instance;
    }
}
