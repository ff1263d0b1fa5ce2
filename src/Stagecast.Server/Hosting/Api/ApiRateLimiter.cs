using System.Collections.Concurrent;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// A <see cref="TokenBucket"/> per key: per API credential (the bearer token), <c>requestsPerSecond</c> tokens a
/// second, bursts of twice that; or any rate and burst (anonymous viewers' TURN credentials, per address). A bucket
/// that has refilled completely is the same as a new one, so such buckets are dropped once there are many: memory
/// stays bounded by recent callers.
/// </summary>
public sealed class ApiRateLimiter(TimeProvider time, double perSecond, double burst)
{
    private const int PruneAbove = 1024;
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    public ApiRateLimiter(TimeProvider time, int requestsPerSecond)
        : this(time, requestsPerSecond, requestsPerSecond * 2.0)
    {
    }

    /// <summary>Takes one token for <paramref name="key"/>; false when its bucket is empty.</summary>
    public bool TryAcquire(string key)
    {
        var bucket = _buckets.GetOrAdd(key, static (_, limiter) => limiter.NewBucket(), this);
        bool acquired = bucket.TryTake();
        if (_buckets.Count > PruneAbove)
        {
            foreach (var (stale, full) in _buckets.Where(b => b.Value.IsFull))
            {
                _buckets.TryRemove(new KeyValuePair<string, TokenBucket>(stale, full));
            }
        }

        return acquired;
    }

    public int BucketCount => _buckets.Count;

    private TokenBucket NewBucket() => new(time, perSecond, burst);
}
