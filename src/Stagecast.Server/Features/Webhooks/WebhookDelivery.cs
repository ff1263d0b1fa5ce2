namespace Stagecast.Server.Features.Webhooks;

/// <summary>One event on its way to one webhook.</summary>
public sealed record WebhookDelivery(
    string Id,
    string WebhookId,
    string EventId,
    string Event,
    string Status,
    long Attempts,
    int? LastResponseCode,
    string? LastError,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeliveredAt);

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>The oldest pending delivery of a webhook: the next one it must get.</summary>
public sealed record DeliveryHead(string Id, string WebhookId, string Url, long Attempts, DateTimeOffset NextAttemptAt, DateTimeOffset CreatedAt);

/// <summary>What one attempt ended in.</summary>
public sealed record AttemptOutcome(string Status, int? ResponseCode, string? Error, DateTimeOffset? NextAttemptAt);
