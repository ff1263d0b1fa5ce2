namespace Stagecast.WebRtc.Tests;

/// <summary>
/// A path for the congestion tests: a bottleneck of <see cref="CapacityBps"/> with a drop-tail queue of
/// <paramref name="queueMillis"/>, a propagation delay and random loss (seeded: every run the same).
/// </summary>
internal sealed class SimulatedLink(long capacityBps, int propagationMillis = 20, double loss = 0, int queueMillis = 400)
{
    private readonly Random _random = new(7);
    private long _freeAt;

    public long CapacityBps { get; set; } = capacityBps;

    /// <summary>A packet of <paramref name="size"/> bytes sent at <paramref name="nowMicros"/>: when it arrives, or -1 when it is lost.</summary>
    public long Send(long nowMicros, int size)
    {
        if (QueuedMillis(nowMicros) > queueMillis || _random.NextDouble() < loss)
        {
            return -1;
        }

        _freeAt = Math.Max(nowMicros, _freeAt) + (size * 8 * 1_000_000L / CapacityBps);
        return _freeAt + (propagationMillis * 1000L);
    }

    /// <summary>How long a packet sent now would wait in the queue.</summary>
    public double QueuedMillis(long nowMicros) => Math.Max(0, _freeAt - nowMicros) / 1000.0;
}
