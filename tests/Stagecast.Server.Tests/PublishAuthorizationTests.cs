using Stagecast.Server.Features.Livestreams;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

public sealed class PublishAuthorizationTests
{
    [Fact]
    public void AddressWithTooManyFailuresIsBlockedForAMinute()
    {
        var time = new ManualTimeProvider();
        var throttle = new FailedPublishThrottle(time);
        for (int i = 0; i < FailedPublishThrottle.MaxFailuresPerWindow; i++)
        {
            Assert.False(throttle.IsBlocked("10.0.0.1:5000"));
            throttle.RecordFailure($"10.0.0.1:{5000 + i}"); // a new source port each time: still one address
        }

        Assert.True(throttle.IsBlocked("10.0.0.1:6000"));
        Assert.False(throttle.IsBlocked("10.0.0.2:6000"));
        Assert.False(throttle.IsBlocked("[::1]:6000"));

        time.Advance(TimeSpan.FromSeconds(61));
        Assert.False(throttle.IsBlocked("10.0.0.1:6000"));
    }
}
