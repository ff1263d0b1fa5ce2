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

    [Fact]
    public void ACostOfManyTokensIsTakenWholeOrNotAtAll()
    {
        var bucket = new TokenBucket(_time, perSecond: 1000, capacity: 4000);

        Assert.True(bucket.TryTake(3000));
        Assert.False(bucket.TryTake(1500)); // 1000 left: nothing taken
        Assert.True(bucket.TryTake(1000));
        _time.Advance(TimeSpan.FromSeconds(1.5));
        Assert.False(bucket.TryTake(1501));
        Assert.True(bucket.TryTake(1500));
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
