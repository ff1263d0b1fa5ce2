using Stagecast.Server.Features.Webhooks;

namespace Stagecast.Server.Tests.Webhooks;

/// <summary>How long the dispatcher sleeps unless an event or a finished delivery wakes it.</summary>
[Trait("Category", "InProcess")]
public sealed class WebhookDispatcherWaitTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NextPurge = Now.AddMinutes(50);

    [Fact]
    public void WithNothingPendingASingleNodeSleepsUntilThePurge() =>
        Assert.Equal(TimeSpan.FromMinutes(50), WebhookDispatcher.Wait(null, NextPurge, Now, clustered: false));

    [Fact]
    public void ARetryDueBeforeThePurgeWakesItThen() =>
        Assert.Equal(TimeSpan.FromSeconds(30), WebhookDispatcher.Wait(Now.AddSeconds(30), NextPurge, Now, clustered: false));

    [Fact]
    public void ARetryDueAfterThePurgeWaitsForThePurgeFirst() =>
        Assert.Equal(TimeSpan.FromMinutes(50), WebhookDispatcher.Wait(Now.AddHours(3), NextPurge, Now, clustered: false));

    [Fact]
    public void SomethingOverdueIsLookedAtAtOnce() =>
        Assert.Equal(TimeSpan.Zero, WebhookDispatcher.Wait(Now.AddSeconds(-1), NextPurge, Now, clustered: false));

    [Fact]
    public void ANodeOfAClusterLooksEveryFiveSecondsForWhatOtherNodesLeft()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), WebhookDispatcher.Wait(null, NextPurge, Now, clustered: true));
        Assert.Equal(TimeSpan.FromSeconds(2), WebhookDispatcher.Wait(Now.AddSeconds(2), NextPurge, Now, clustered: true));
    }
}
