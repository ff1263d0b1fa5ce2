using System.Collections.Concurrent;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.WebRtc.Sfu;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// Every producer RealtimeKit clients may consume, by id: what <c>selfJoinComplete</c> lists of the peers already in a
/// room and what a <c>consume</c> names. A RealtimeKit client's media adds and removes its own. A peer that publishes
/// otherwise (meeting WHIP, from stagecast.js or any WHIP client) is mirrored (<see cref="Follow"/>):
/// a producer per flowing track of its camera and screen share streams, paused while muted, kept in line as meeting
/// media says its tracks change (<see cref="MeetingMediaService.TracksChanged"/>). A peer's producers go when it leaves the room.
/// </summary>
public sealed class RealtimeKitProducers : IRoomPeerObserver
{
    /// <summary>What a mirrored screen share track's producer carries: the SDK files a consumed track as a screen share by it, as its own producers write it.</summary>
    private const string ScreenShareAppData = """{"screenShare":true}""";

    private readonly ConcurrentDictionary<string, RealtimeKitMediaProducer> _producers = new(StringComparer.Ordinal);
    private readonly Lock _mirroring = new();
    private readonly MeetingMediaService _media;
    private readonly RealtimeKitPeers _peers;

    public RealtimeKitProducers(MeetingMediaService media, RealtimeKitPeers peers)
    {
        _media = media;
        _peers = peers;
        media.TracksChanged += Follow;
    }

    public RealtimeKitMediaProducer? Find(string producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>The peer's producers, oldest first.</summary>
    public IEnumerable<RealtimeKitMediaProducer> Of(RoomPeer peer) =>
        _producers.Values.Where(p => ReferenceEquals(p.Peer, peer)).OrderBy(p => p.Created);

    public void Add(RealtimeKitMediaProducer producer) => _producers[producer.Id] = producer;

    public void Remove(RealtimeKitMediaProducer producer) => _producers.TryRemove(producer.Id, out _);

    /// <summary>Mirrors a peer's tracks now and tells every RealtimeKit client in the room what changed.</summary>
    public void Follow(MeetingRoom room, RoomPeer peer)
    {
        foreach (var change in Mirror(room, peer))
        {
            room.Publish(change);
        }
    }

    /// <summary>
    /// Brings the producers of a peer that is not on RealtimeKit in line with its camera and screen share streams now: a track that
    /// flows is a producer (a new publisher or codec, a new one), a muted one is paused, a gone one closed. Returns the
    /// changes for the room's RealtimeKit clients; whoever asks first makes them, the next askers find nothing to do.
    /// </summary>
    private List<RealtimeKitProducerChanged> Mirror(MeetingRoom room, RoomPeer peer)
    {
        if (peer.Hidden || _peers.IsRealtimeKit(peer))
        {
            return [];
        }

        var publications = room.Peers.Contains(peer) ? _media.Find(room)?.Publications ?? [] : [];
        var changes = new List<RealtimeKitProducerChanged>();
        lock (_mirroring)
        {
            foreach (var source in new[] { MediaSource.Camera, MediaSource.Screenshare })
            {
                string streamId = MeetingMediaHub.StreamId(room.MeetingId, peer.Id, source);
                var publication = publications.FirstOrDefault(p => p.StreamId == streamId && !p.IsClosed);
                foreach (bool video in new[] { false, true })
                {
                    Mirror(peer, streamId, source == MediaSource.Screenshare, video, publication, changes);
                }
            }
        }

        return changes;
    }

    private void Mirror(RoomPeer peer, string streamId, bool screenShare, bool video, SfuPublication? publication, List<RealtimeKitProducerChanged> changes)
    {
        var track = publication is null ? null : video ? publication.Video : publication.Audio;
        var current = Of(peer).FirstOrDefault(p => p.Video == video && p.ScreenShare == screenShare);
        if (current is not null && (track?.StartedAt is null || current.TransportId != publication!.Id || !ReferenceEquals(current.Codec, track.Codec)))
        {
            Remove(current);
            changes.Add(RealtimeKitProducerChanged.Closed(peer, current.State));
            current = null;
        }

        if (track?.StartedAt is null)
        {
            return;
        }

        if (current is null)
        {
            var producer = new RealtimeKitMediaProducer(peer, streamId, video, screenShare, "", track.Codec, publication!.Id, screenShare ? ScreenShareAppData : null, track.Muted);
            Add(producer);
            changes.Add(RealtimeKitProducerChanged.Created(peer, producer.State));
        }
        else if (current.Paused != track.Muted)
        {
            current.Paused = track.Muted;
            changes.Add(RealtimeKitProducerChanged.Toggled(peer, current.State));
        }
    }

    public void OnPeerLeft(MeetingRoom room, RoomPeer peer)
    {
        foreach (var producer in _producers.Values.Where(p => ReferenceEquals(p.Peer, peer)))
        {
            _producers.TryRemove(producer.Id, out _);
        }
    }
}
