namespace Stagecast.WebRtc.Tests;

/// <summary>
/// A path for the congestion tests: a bottleneck of <see cref="CapacityBps"/> with a drop-tail queue of
/// <paramref name="queueMillis"/>, a propagation delay and random loss (seeded: every run the same). With
/// <paramref name="burstBytes"/>, the bottleneck is a token bucket, as tc's tbf and many routers are: while the queue is
/// empty, that many bytes saved up pass at once, so a short burst crosses faster than the link's rate.
/// </summary>
internal sealed class SimulatedLink(long capacityBps, int propagationMillis = 20, double loss = 0, int queueMillis = 400, int burstBytes = 0)
{
    /// <summary>The one-way delay beside the queue's (a route change moves it).</summary>
    public int PropagationMillis { get; set; } = propagationMillis;

    private readonly Random _random = new(7);
    private long _freeAt;
    private double _tokens = burstBytes;
    private long _tokensAt;

    public long CapacityBps { get; set; } = capacityBps;

    /// <summary>A packet of <paramref name="size"/> bytes sent at <paramref name="nowMicros"/>: when it arrives, or -1 when it is lost.</summary>
    public long Send(long nowMicros, int size)
    {
        if (QueuedMillis(nowMicros) > queueMillis || _random.NextDouble() < loss)
        {
            return -1;
        }

        if (_freeAt <= nowMicros && burstBytes > 0)
        {
            _tokens = Math.Min(burstBytes, _tokens + ((nowMicros - _tokensAt) * CapacityBps / 8e6));
            _tokensAt = nowMicros;
            if (_tokens >= size)
            {
                _tokens -= size;
                return nowMicros + (PropagationMillis * 1000L);
            }

            size -= (int)_tokens; // what the bucket holds goes now; the rest waits for the link
            _tokens = 0;
        }

        _freeAt = Math.Max(nowMicros, _freeAt) + (size * 8 * 1_000_000L / CapacityBps);
        _tokensAt = _freeAt;
        return _freeAt + (PropagationMillis * 1000L);
    }

    /// <summary>How long a packet sent now would wait in the queue.</summary>
    public double QueuedMillis(long nowMicros) => Math.Max(0, _freeAt - nowMicros) / 1000.0;
}
