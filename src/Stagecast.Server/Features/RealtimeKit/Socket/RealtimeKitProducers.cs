using System.Collections.Concurrent;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.WebRtc.Sfu;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// Every producer RealtimeKit clients may consume, by id: what <c>selfJoinComplete</c> lists of the peers already in a
/// room and what a <c>consume</c> names. A RealtimeKit client's media adds and removes its own. A peer that publishes
/// its camera otherwise (meeting WHIP, from stagecast.js or any WHIP client) is mirrored (<see cref="Mirror"/>): a
/// producer per flowing track of its camera stream, paused while muted. A peer's producers go when it leaves the room.
/// </summary>
public sealed class RealtimeKitProducers(MeetingMediaService media, RealtimeKitPeers peers) : IRoomPeerObserver
{
    private readonly ConcurrentDictionary<string, RealtimeKitMediaProducer> _producers = new(StringComparer.Ordinal);
    private readonly Lock _mirroring = new();

    public RealtimeKitMediaProducer? Find(string producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>The peer's producers, oldest first.</summary>
    public IEnumerable<RealtimeKitMediaProducer> Of(RoomPeer peer) =>
        _producers.Values.Where(p => ReferenceEquals(p.Peer, peer)).OrderBy(p => p.Created);

    public void Add(RealtimeKitMediaProducer producer) => _producers[producer.Id] = producer;

    public void Remove(RealtimeKitMediaProducer producer) => _producers.TryRemove(producer.Id, out _);

    /// <summary>
    /// Brings the producers of a peer that is not on RealtimeKit in line with its camera stream now: a track that
    /// flows is a producer (a new publisher or codec, a new one), a muted one is paused, a gone one closed. Returns the
    /// changes for the room's RealtimeKit clients; whoever asks first makes them, the next askers find nothing to do.
    /// </summary>
    public IReadOnlyList<RealtimeKitProducerChanged> Mirror(MeetingRoom room, RoomPeer peer)
    {
        if (peer.Hidden || peers.IsRealtimeKit(peer))
        {
            return [];
        }

        string streamId = MeetingMediaHub.StreamId(room.MeetingId, peer.Id, MediaSource.Camera);
        var camera = room.Peers.Contains(peer) ? media.Find(room)?.Publishers.FirstOrDefault(p => p.StreamId == streamId && !p.IsClosed) : null;
        var changes = new List<RealtimeKitProducerChanged>();
        lock (_mirroring)
        {
            foreach (bool video in new[] { false, true })
            {
                var track = camera is null ? null : video ? camera.Video : camera.Audio;
                var current = Of(peer).FirstOrDefault(p => p.Video == video);
                if (current is not null && (track?.StartedAt is null || current.TransportId != camera!.Id || !ReferenceEquals(current.Codec, track.Codec)))
                {
                    Remove(current);
                    changes.Add(RealtimeKitProducerChanged.Closed(peer, current.State));
                    current = null;
                }

                if (track?.StartedAt is null)
                {
                    continue;
                }

                if (current is null)
                {
                    var producer = new RealtimeKitMediaProducer(peer, streamId, video, "", track.Codec, camera!.Id, null, track.Muted);
                    Add(producer);
                    changes.Add(RealtimeKitProducerChanged.Created(peer, producer.State));
                }
                else if (current.Paused != track.Muted)
                {
                    current.Paused = track.Muted;
                    changes.Add(RealtimeKitProducerChanged.Toggled(peer, current.State));
                }
            }
        }

        return changes;
    }

    public void OnPeerLeft(MeetingRoom room, RoomPeer peer)
    {
        foreach (var producer in _producers.Values.Where(p => ReferenceEquals(p.Peer, peer)))
        {
            _producers.TryRemove(producer.Id, out _);
        }
    }
}
