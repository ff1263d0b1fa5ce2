using System.Runtime.CompilerServices;
using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// What each peer's plugins may send: store writes and plugin events, <see cref="RoomOptions.PluginWritesPerSecond"/> a
/// second (bursts of twice as many), and the bytes they have the server send the meeting's peers,
/// <see cref="RoomOptions.PluginBytesPerSecond"/> (bursts of <see cref="RoomOptions.PluginByteBurstSeconds"/> seconds'
/// worth). Each peer's budgets are kept with it while it lives; charged under its plugins' lock (<see cref="RoomPlugins"/>).
/// </summary>
internal sealed class PluginBudgets(int writesPerSecond, int bytesPerSecond, TimeProvider time)
{
    private readonly ConditionalWeakTable<RoomPeer, Budget> _budgets = new();
    private readonly double _burst = (double)bytesPerSecond * RoomOptions.PluginByteBurstSeconds;

    /// <summary>
    /// Charges one store write or plugin event to the peer's rate and its <paramref name="bytes"/>, sent to
    /// <paramref name="peers"/> peers, to its byte budget; past either, refused (429), and a write larger than a burst
    /// (413). Nothing is charged for a write refused before it.
    /// </summary>
    public void Take(RoomPeer peer, long bytes, int peers)
    {
        long sent = bytes * Math.Max(peers, 1);
        if (sent > _burst)
        {
            throw new DomainException(DomainError.TooLarge,
                $"this would send {sent} bytes ({bytes} to each of {peers} peers); a peer's plugins may send at most {_burst} at once: write less at a time");
        }

        var budget = _budgets.GetValue(peer, _ => new Budget(
            new TokenBucket(time, writesPerSecond, writesPerSecond * 2.0), new TokenBucket(time, bytesPerSecond, _burst)));
        if (!budget.Writes.TryTake())
        {
            throw new DomainException(DomainError.TooMany, $"a peer may send plugin events and write plugin stores {writesPerSecond} times a second; slow down");
        }

        if (!budget.Bytes.TryTake(sent))
        {
            throw new DomainException(DomainError.TooMany,
                $"a peer's plugins may have {bytesPerSecond} bytes a second sent to the meeting's peers (this: {bytes} bytes to each of {peers}); slow down");
        }
    }

    private sealed record Budget(TokenBucket Writes, TokenBucket Bytes);
}
