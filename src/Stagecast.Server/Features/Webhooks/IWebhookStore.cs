using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Webhooks;

public interface IWebhookStore
{
    Task CreateAsync(Webhook webhook, CancellationToken cancellationToken);

    Task<Webhook?> FindAsync(string appId, string webhookId, CancellationToken cancellationToken);

    Task<Page<Webhook>> ListAsync(string appId, Paging paging, CancellationToken cancellationToken);

    Task UpdateAsync(Webhook webhook, CancellationToken cancellationToken);

    /// <summary>Soft delete: no more deliveries; its delivery history stays.</summary>
    Task<bool> DeleteAsync(string webhookId, DateTimeOffset deletedAt, CancellationToken cancellationToken);

    Task<Page<WebhookDelivery>> ListDeliveriesAsync(string webhookId, string? status, Paging paging, CancellationToken cancellationToken);

    Task<WebhookDelivery?> FindDeliveryAsync(string webhookId, string deliveryId, CancellationToken cancellationToken);

    /// <summary>Makes a failed delivery pending again, due now.</summary>
    Task RetryAsync(string deliveryId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The oldest pending delivery of every enabled webhook.</summary>
    Task<IReadOnlyList<DeliveryHead>> ListHeadsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Claims a pending delivery for a node until a deadline; false when another node's claim on it still holds. Of
    /// nodes racing for one delivery, exactly one wins (one row update), so each attempt is made by one node.
    /// </summary>
    Task<bool> TryClaimAsync(string deliveryId, string nodeId, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The event id, name and exact body of a delivery.</summary>
    Task<(string EventId, string Event, byte[] Body)> LoadEventAsync(string deliveryId, CancellationToken cancellationToken);

    Task RecordAttemptAsync(string deliveryId, AttemptOutcome outcome, DateTimeOffset now, CancellationToken cancellationToken);

    Task<long> CountPendingAsync(CancellationToken cancellationToken);

    /// <summary>Forgets delivered and failed deliveries last changed before <paramref name="before"/>, and events no delivery needs.</summary>
    Task PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
