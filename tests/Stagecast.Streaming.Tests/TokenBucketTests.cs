using Microsoft.Extensions.Time.Testing;
using Stagecast.Streaming.Limits;

namespace Stagecast.Streaming.Tests;

/// <summary>The one rate limiter (API tokens, channel sockets, chat, WebRTC packets) on a fake clock.</summary>
public sealed class TokenBucketTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void ABurstUpToTheCapacityPassesAndTheRestIsRefusedUntilTheClockRefills()
    {
        var bucket = new TokenBucket(_time, perSecond: 10, capacity: 20);

        Assert.Equal(20, TakeAll(bucket));
        Assert.False(bucket.IsFull);

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(5, TakeAll(bucket)); // half a second at ten a second

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(bucket.IsFull); // refilled to the capacity, never beyond
        Assert.Equal(20, TakeAll(bucket));
    }

    [Fact]
    public void ASteadyRateAtTheLimitIsNeverRefused()
    {
        var bucket = new TokenBucket(_time, perSecond: 100, capacity: 100);
        TakeAll(bucket);
        for (int i = 0; i < 1000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            Assert.True(bucket.TryTake());
        }

        Assert.False(bucket.TryTake());
    }

    private static int TakeAll(TokenBucket bucket)
    {
        int taken = 0;
        while (bucket.TryTake())
        {
            taken++;
        }

        return taken;
    }
}
