namespace Stagecast.Server.Features.Webhooks;

/// <summary>Delivery outcomes since the server started, for /metrics.</summary>
public sealed class WebhookMetrics
{
    private long _delivered;
    private long _failed;
    private long _retried;

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
}
