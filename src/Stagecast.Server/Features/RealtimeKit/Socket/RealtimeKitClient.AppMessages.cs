using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// App messages on RealtimeKit's socket, passed to the room (<see cref="RoomAppMessages.Send"/>):
/// <c>participants.broadcastMessage(type, payload)</c> is room event 29, to the whole meeting; with a target of
/// participants or presets the SDK names the peers on event 39 (<c>broadcastToEntity</c>, PEERS). The SDK sends its
/// own too: <c>spotlight</c> (a host's active tab, to everyone and to each peer joining) and
/// <c>screenshareConsumerCreated</c> (on subscribing to a screen share). The SDK awaits an answer to event 29 and
/// reads it as a message like any other, so the sender gets its own message back there, as RealtimeKit documents
/// ("including the local participant"); event 39 to peers is not awaited, and not answered. Event 39 with ROOMS (a
/// message to whole meetings of the group of breakout rooms, <see cref="ConnectedMeetings.BroadcastAsync"/>) is awaited.
/// </summary>
public sealed partial class RealtimeKitClient
{
    private BroadcastMessage Broadcast(MeetingRoom room, RoomPeer peer, BroadcastMessage request)
    {
        var message = AppMessage.Create(request.Type, request.Payload.Memory, peer, services.Time.GetUtcNow());
        room.AppMessages.Send(message);
        return Wire(message);
    }

    private async Task<IMessage?> BroadcastToEntityAsync(MeetingRoom room, RoomPeer peer, BroadcastMessage request)
    {
        if (request.BroadcastType == BroadcastType.Rooms)
        {
            var toRooms = AppMessage.Create(request.Type, request.Payload.Memory, await RecheckAsync(peer).ConfigureAwait(false), services.Time.GetUtcNow());
            await services.ConnectedMeetings.BroadcastAsync(room, toRooms, request.Ids, CancellationToken.None).ConfigureAwait(false);
            return Wire(toRooms); // awaited, unlike the form to peers
        }

        var message = AppMessage.Create(request.Type, request.Payload.Memory, peer, services.Time.GetUtcNow());
        room.AppMessages.Send(message, request.Ids.ToHashSet(StringComparer.Ordinal));
        return null;
    }

    /// <summary>An app message as RealtimeKit's clients receive it (on event 29 or 39); its time in milliseconds.</summary>
    internal static BroadcastMessage Wire(AppMessage message) => new()
    {
        Type = message.Type,
        Payload = UnsafeByteOperations.UnsafeWrap(message.PayloadUtf8),
        Timestamp = (ulong)message.SentAt.ToUnixTimeMilliseconds(),
    };
}
