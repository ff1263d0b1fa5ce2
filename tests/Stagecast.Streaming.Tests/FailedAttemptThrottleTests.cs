using Microsoft.Extensions.Time.Testing;
using Stagecast.Streaming.Limits;

namespace Stagecast.Streaming.Tests;

/// <summary>The budget of refused credentials per address (tokens, stream keys, SRT passphrases) on a fake clock.</summary>
public sealed class FailedAttemptThrottleTests
{
    [Fact]
    public void AnAddressPastItsBudgetIsThrottledForTheRestOfTheMinuteOthersAreNot()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));
        var throttle = new FailedAttemptThrottle(time);
        for (int i = 0; i < FailedAttemptThrottle.MaxFailuresPerWindow; i++)
        {
            Assert.Null(throttle.RecordFailure($"10.0.0.1:{5000 + i}")); // a new source port each time: still one address
        }

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(40), throttle.RecordFailure("10.0.0.1:6000"));
        Assert.Null(throttle.RecordFailure("10.0.0.2:6000"));
        Assert.Null(throttle.RecordFailure("[::1]:6000"));

        time.Advance(TimeSpan.FromSeconds(41));
        Assert.Null(throttle.RecordFailure("10.0.0.1:6000")); // a new window
    }

    /// <summary>Where an answer cannot be held back (an SRT handshake), a throttled address gets one try a second.</summary>
    [Fact]
    public void AThrottledAddressMayTryOnceASecondOthersAlways()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));
        var throttle = new FailedAttemptThrottle(time);
        for (int i = 0; i < FailedAttemptThrottle.MaxFailuresPerWindow; i++)
        {
            Assert.True(throttle.TryAttempt("10.0.0.1"));
            throttle.RecordFailure("10.0.0.1");
        }

        Assert.False(throttle.TryAttempt("10.0.0.1")); // the last failure was the last try
        Assert.True(throttle.TryAttempt("10.0.0.2"));
        time.Advance(FailedAttemptThrottle.Tarpit);
        Assert.True(throttle.TryAttempt("10.0.0.1"));
        Assert.False(throttle.TryAttempt("10.0.0.1"));
        time.Advance(FailedAttemptThrottle.Window);
        Assert.True(throttle.TryAttempt("10.0.0.1")); // a new window
        Assert.True(throttle.TryAttempt("10.0.0.1"));
    }
}
