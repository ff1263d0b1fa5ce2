using System.Diagnostics.Metrics;
using Stagecast.Server.Hosting.Metrics;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>Webhooks' instruments (meter <c>Stagecast.Webhooks</c>): delivery outcomes since the server started, and what waits.</summary>
public sealed class WebhookMetrics : IFeatureMetrics
{
    private readonly IWebhookStore _store;
    private long _delivered;
    private long _failed;
    private long _retried;
    private long _pending;

    public WebhookMetrics(IMeterFactory meters, IWebhookStore store)
    {
        _store = store;
        var meter = meters.Create("Stagecast.Webhooks");
        meter.CreateObservableCounter("stagecast_webhook_deliveries_total", () => new[]
        {
            Outcome(Delivered, "delivered"), Outcome(Failed, "failed"), Outcome(Retried, "retried"),
        }, description: "Webhook delivery attempts by outcome: delivered, failed (given up), retried (will be tried again).");
        meter.CreateObservableGauge("stagecast_webhook_deliveries_pending", () => Interlocked.Read(ref _pending), description: "Webhook deliveries waiting to go out.");
    }

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Failed => Interlocked.Read(ref _failed);

    public long Retried => Interlocked.Read(ref _retried);

    public void Count(string status, bool willRetry)
    {
        if (status == DeliveryStatus.Delivered)
        {
            Interlocked.Increment(ref _delivered);
        }
        else if (status == DeliveryStatus.Failed)
        {
            Interlocked.Increment(ref _failed);
        }
        else if (willRetry)
        {
            Interlocked.Increment(ref _retried);
        }
    }

    /// <summary>The one figure read from the database, before each scrape.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _pending, await _store.CountPendingAsync(cancellationToken).ConfigureAwait(false));

    private static Measurement<long> Outcome(long value, string outcome) => new(value, new KeyValuePair<string, object?>("outcome", outcome));
}
