using Microsoft.Extensions.Time.Testing;
using Stagecast.Server.Hosting.Api;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

[Trait("Category", "InProcess")]
public class ApiRateLimiterTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void EachCredentialGetsABurstOfTwiceTheRateThenTheRate()
    {
        var limiter = new ApiRateLimiter(_time, requestsPerSecond: 10);
        Assert.Equal(20, Enumerable.Range(0, 50).Count(_ => limiter.TryAcquire("Bearer a")));
        Assert.True(limiter.TryAcquire("Bearer b")); // another credential has its own bucket

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(5, Enumerable.Range(0, 50).Count(_ => limiter.TryAcquire("Bearer a")));

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(20, Enumerable.Range(0, 50).Count(_ => limiter.TryAcquire("Bearer a"))); // never more than the burst
    }

    [Fact]
    public void RefilledBucketsAreDroppedSoRandomCredentialsCannotGrowMemory()
    {
        var limiter = new ApiRateLimiter(_time, requestsPerSecond: 10);
        for (int i = 0; i < 5000; i++)
        {
            limiter.TryAcquire($"Bearer random-{i}");
            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.InRange(limiter.BucketCount, 1, 2100); // only callers of the last ~2 s (a bucket refills in 2 s)

        Assert.Equal(20, Enumerable.Range(0, 30).Count(_ => limiter.TryAcquire("Bearer busy")));
        for (int i = 0; i < 2000; i++)
        {
            limiter.TryAcquire($"Bearer other-{i}");
        }

        Assert.False(limiter.TryAcquire("Bearer busy")); // an empty bucket is never dropped
    }
}
