namespace Stagecast.Streaming.Limits;

/// <summary>
/// A token bucket: <c>perSecond</c> tokens a second up to <c>capacity</c>, refilled from the clock when tokens are
/// taken, so an idle bucket runs no timer (ASP.NET's partitioned limiter wakes ten times a second for ever). The one
/// rate limiter of the server: API tokens, the realtime channel's sockets and participants, each WebRTC peer's packets.
/// </summary>
public sealed class TokenBucket(TimeProvider time, double perSecond, double capacity)
{
    private readonly Lock _sync = new();
    private readonly double _capacity = capacity;
    private double _tokens = capacity;
    private long _updatedAt = time.GetTimestamp();

    /// <summary>Takes one token; false when the bucket is empty.</summary>
    public bool TryTake() => TryTake(1);

    /// <summary>Takes <paramref name="count"/> tokens (a cost in bytes, say); false, taking none, when the bucket holds fewer.</summary>
    public bool TryTake(double count)
    {
        lock (_sync)
        {
            Refill();
            if (_tokens < count)
            {
                return false;
            }

            _tokens -= count;
            return true;
        }
    }

    /// <summary>True when the bucket has refilled completely: it is then the same as a new one.</summary>
    public bool IsFull
    {
        get
        {
            lock (_sync)
            {
                Refill();
                return _tokens >= _capacity;
            }
        }
    }

    private void Refill()
    {
        long now = time.GetTimestamp();
        _tokens = Math.Min(_capacity, _tokens + (time.GetElapsedTime(_updatedAt, now).TotalSeconds * perSecond));
        _updatedAt = now;
    }
}
