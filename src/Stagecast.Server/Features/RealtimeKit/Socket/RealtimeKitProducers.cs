using System.Collections.Concurrent;
using Stagecast.Server.Features.Rooms;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// Every RealtimeKit peer's producers, by id: what <c>selfJoinComplete</c> lists of the peers already in a room and what
/// a <c>consume</c> names. A client's media adds and removes its own; a peer's go when it leaves the room.
/// </summary>
public sealed class RealtimeKitProducers : IRoomPeerObserver
{
    private readonly ConcurrentDictionary<string, RealtimeKitMediaProducer> _producers = new(StringComparer.Ordinal);

    public RealtimeKitMediaProducer? Find(string producerId) => _producers.GetValueOrDefault(producerId);

    /// <summary>The peer's producers, oldest first.</summary>
    public IEnumerable<RealtimeKitMediaProducer> Of(RoomPeer peer) =>
        _producers.Values.Where(p => ReferenceEquals(p.Peer, peer)).OrderBy(p => p.Created);

    public void Add(RealtimeKitMediaProducer producer) => _producers[producer.Id] = producer;

    public void Remove(RealtimeKitMediaProducer producer) => _producers.TryRemove(producer.Id, out _);

    public void OnPeerLeft(MeetingRoom room, RoomPeer peer)
    {
        foreach (var producer in _producers.Values.Where(p => ReferenceEquals(p.Peer, peer)))
        {
            _producers.TryRemove(producer.Id, out _);
        }
    }
}
