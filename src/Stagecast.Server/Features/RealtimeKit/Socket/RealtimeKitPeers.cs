using System.Collections.Concurrent;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// Which room peer a RealtimeKit client's own <c>peerID</c> is, so a client that reconnects with it takes its place
/// again (and goes on with the transports its peer has in the router: <see cref="RealtimeKitMedia.Resume"/>). The room
/// gives peers ids of its own (a client's choice could collide with another meeting's or session's); the client's is
/// used only towards that client. An entry goes when its peer leaves the room.
/// </summary>
public sealed class RealtimeKitPeers : IRoomObserver
{
    private readonly ConcurrentDictionary<(string MeetingId, string ParticipantId, string ClientPeerId), string> _peers = new();
    private readonly ConcurrentDictionary<string, (string, string, string)> _byRoomPeer = new();

    public string? Find(string meetingId, string participantId, string clientPeerId) =>
        _peers.GetValueOrDefault((meetingId, participantId, clientPeerId));

    /// <summary>Whether the peer joined through a RealtimeKit client.</summary>
    public bool IsRealtimeKit(RoomPeer peer) => _byRoomPeer.ContainsKey(peer.Id);

    /// <summary>The peer is the client's now (a client coming back under another peerID takes the old one's place).</summary>
    public void Add(string meetingId, RoomPeer peer, string clientPeerId)
    {
        var key = (meetingId, peer.Participant.Id, clientPeerId);
        _peers[key] = peer.Id;
        if (_byRoomPeer.TryGetValue(peer.Id, out var previous) && previous != key)
        {
            _peers.TryRemove(previous, out _);
        }

        _byRoomPeer[peer.Id] = key;
    }

    public void OnPeerLeft(MeetingRoom room, RoomPeer peer)
    {
        if (_byRoomPeer.TryRemove(peer.Id, out var key))
        {
            _peers.TryRemove(key, out _);
        }
    }
}
