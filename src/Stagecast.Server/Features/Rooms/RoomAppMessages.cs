using System.Runtime.CompilerServices;
using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// App messages (RealtimeKit's broadcasts): an app's own events between the peers of a meeting, whatever front end
/// each came through. Passed on at once to every other connected peer (or to those named), never stored: a peer that
/// joins later, or is away, misses them. A peer may send <see cref="RoomOptions.AppMessagesPerSecond"/> a second
/// (bursts of twice as many), as RealtimeKit's SDK allows itself; the app's server (REST) is not limited here. Its only
/// state is each sender's rate, a bucket kept with the sender while it lives (the buckets lock themselves): it needs no
/// lock of its own, and passing a message on waits for nothing.
/// </summary>
public sealed class RoomAppMessages
{
    private readonly ConditionalWeakTable<RoomPeer, TokenBucket> _rates = new();
    private readonly IRoomPresence _room;
    private readonly int _perSecond;
    private readonly TimeProvider _time;

    internal RoomAppMessages(IRoomPresence room, int perSecond, TimeProvider time)
    {
        _room = room;
        _perSecond = perSecond;
        _time = time;
    }

    /// <summary>
    /// Passes <paramref name="message"/> on to the peers <paramref name="to"/> names by id (every peer when null), but its
    /// sender, who must be in the room; the peers it reached.
    /// </summary>
    public int Send(AppMessage message, IReadOnlySet<string>? to = null)
    {
        if (message.From is { } sender)
        {
            Charge(sender);
        }

        return Deliver(message, to);
    }

    /// <summary>Counts one message of <paramref name="sender"/>, who must be in the room, against its rate; refused past it.</summary>
    public void Charge(RoomPeer sender)
    {
        if (!_room.Peers.Any(p => p.Id == sender.Id))
        {
            throw new DomainException(DomainError.Conflict, "join the meeting first");
        }

        if (!_rates.GetValue(sender, _ => new TokenBucket(_time, _perSecond, _perSecond * 2.0)).TryTake())
        {
            throw new DomainException(DomainError.TooMany, $"a peer may send {_perSecond} app messages a second; slow down");
        }
    }

    /// <summary>
    /// Passes on a message charged already (to its sender's room: <see cref="Charge"/>) to the peers <paramref name="to"/>
    /// names (every peer when null) but its sender (by its peer id); the peers it reached. A message from another meeting
    /// of the group comes this way (from a node of its own, its sender a stand-in).
    /// </summary>
    public int Deliver(AppMessage message, IReadOnlySet<string>? to = null)
    {
        RoomPeer[] recipients = [.. _room.Peers.Where(p => p.Id != message.From?.Id && (to is null || to.Contains(p.Id)) && p.Client is not null)];
        var sent = new AppMessageSent(message, to is not null);
        foreach (var peer in recipients)
        {
            peer.Notify(sent);
        }

        return recipients.Length;
    }
}
