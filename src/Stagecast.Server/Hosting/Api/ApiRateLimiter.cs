using System.Collections.Concurrent;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// A token bucket per API credential (the Authorization header): <c>requestsPerSecond</c> tokens a second, bursts
/// of twice that. Buckets refill from the clock when a request arrives, so an idle server runs no timer (ASP.NET's
/// partitioned limiter wakes ten times a second for ever). A bucket that has refilled completely is the same as a
/// new one, so such buckets are dropped once there are many: memory stays bounded by recent callers.
/// </summary>
public sealed class ApiRateLimiter(TimeProvider time, int requestsPerSecond)
{
    private const int PruneAbove = 1024;
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly double _capacity = requestsPerSecond * 2.0;

    /// <summary>Takes one token for <paramref name="key"/>; false when its bucket is empty.</summary>
    public bool TryAcquire(string key)
    {
        long now = time.GetTimestamp();
        var bucket = _buckets.GetOrAdd(key, static (_, state) => new Bucket(state.Capacity, state.Now), (Capacity: _capacity, Now: now));
        bool acquired = bucket.TryTake(now, this);
        if (_buckets.Count > PruneAbove)
        {
            Prune(now);
        }

        return acquired;
    }

    public int BucketCount => _buckets.Count;

    private double Refill(double tokens, long from, long to) =>
        Math.Min(_capacity, tokens + (time.GetElapsedTime(from, to).TotalSeconds * requestsPerSecond));

    private void Prune(long now)
    {
        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.IsFull(now, this))
            {
                _buckets.TryRemove(new KeyValuePair<string, Bucket>(key, bucket));
            }
        }
    }

    private sealed class Bucket(double tokens, long updatedAt)
    {
        private readonly Lock _sync = new();
        private double _tokens = tokens;
        private long _updatedAt = updatedAt;

        public bool TryTake(long now, ApiRateLimiter limiter)
        {
            lock (_sync)
            {
                _tokens = limiter.Refill(_tokens, _updatedAt, now);
                _updatedAt = now;
                if (_tokens < 1)
                {
                    return false;
                }

                _tokens--;
                return true;
            }
        }

        public bool IsFull(long now, ApiRateLimiter limiter)
        {
            lock (_sync)
            {
                return limiter.Refill(_tokens, _updatedAt, now) >= limiter._capacity;
            }
        }
    }
}
