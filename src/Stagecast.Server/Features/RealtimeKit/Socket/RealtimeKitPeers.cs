using System.Collections.Concurrent;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// Which room peer a RealtimeKit client's own <c>peerID</c> is, so a client that reconnects with it takes its place
/// again, and the peer's media (its two transports, the router's, and what is on them), which outlives a socket that
/// drops: the client that takes the peer's place again finds it as it was (the SDK keeps transports that stayed
/// connected, and produces again on them). The room gives peers ids of its own (a client's choice could collide with another
/// meeting's or session's); the client's is used only towards that client. An entry, and its media, go when its peer
/// leaves the room.
/// </summary>
public sealed class RealtimeKitPeers : IRoomPeerObserver
{
    private readonly ConcurrentDictionary<(string MeetingId, string ParticipantId, string ClientPeerId), string> _peers = new();
    private readonly ConcurrentDictionary<string, (string, string, string)> _byRoomPeer = new();
    private readonly ConcurrentDictionary<string, RealtimeKitMedia> _media = new(StringComparer.Ordinal);

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

    /// <summary>The media the peer's client left behind (or uses now), if any.</summary>
    public RealtimeKitMedia? MediaOf(RoomPeer peer) => _media.GetValueOrDefault(peer.Id);

    /// <summary>
    /// Makes <paramref name="media"/> the peer's, its transports the router's: what it had before is closed, its
    /// producers' end told to the room (a client that came back with new transports).
    /// </summary>
    public void Attach(MeetingRouter router, RoomPeer peer, RealtimeKitMedia media)
    {
        media.Join(router, peer);
        var previous = _media.GetValueOrDefault(peer.Id);
        _media[peer.Id] = media;
        if (previous is not null && !ReferenceEquals(previous, media))
        {
            previous.Close("replaced by the client's new transports", announce: true);
        }
    }

    /// <summary>The peer's client closed <paramref name="media"/> while the peer stays (it left the media room): a client coming back makes new.</summary>
    public void Forget(RoomPeer peer, RealtimeKitMedia media) => _media.TryRemove(new KeyValuePair<string, RealtimeKitMedia>(peer.Id, media));

    public void OnPeerLeft(MeetingRoom room, RoomPeer peer)
    {
        if (_byRoomPeer.TryRemove(peer.Id, out var key))
        {
            _peers.TryRemove(key, out _);
        }

        if (_media.TryRemove(peer.Id, out var media))
        {
            media.Close("the peer left", announce: false); // the others hear the peer leave
        }
    }
}
