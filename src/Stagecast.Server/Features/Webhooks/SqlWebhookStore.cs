using System.Text.Json;
using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Webhooks;

public sealed class SqlWebhookStore(SqlDatabase db) : IWebhookStore
{
    private const string Columns = "id, app_id, name, url, events, enabled, created_at, updated_at";

    private const string DeliveryColumns =
        "d.id, d.webhook_id, e.id AS event_id, e.event, d.status, d.attempts, d.last_response_code, d.last_error, d.next_attempt_at, d.created_at, d.updated_at, d.delivered_at";

    private const string DeliveryFrom = "webhook_deliveries d JOIN webhook_events e ON e.seq = d.event_seq";

    public Task CreateAsync(Webhook webhook, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            $"INSERT INTO webhooks ({Columns}) VALUES (@Id, @AppId, @Name, @Url, @Events, @Enabled, @CreatedAt, @UpdatedAt)", Parameters(webhook)), cancellationToken);

    public Task<Webhook?> FindAsync(string appId, string webhookId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<WebhookRow>(
            $"SELECT {Columns} FROM webhooks WHERE id = @webhookId AND app_id = @appId AND deleted_at IS NULL", new { appId, webhookId }).ConfigureAwait(false))?.ToModel(),
            cancellationToken);

    public Task<Page<Webhook>> ListAsync(string appId, Paging paging, CancellationToken cancellationToken)
    {
        var args = new { appId, limit = paging.PerPage, offset = paging.Offset };
        return db.QueryPageAsync($"SELECT {Columns}", "webhooks", new SqlWhere("app_id = @appId AND deleted_at IS NULL"), "created_at, rowid",
            (c, sql) => c.QueryAsync<WebhookRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(), cancellationToken);
    }

    public Task UpdateAsync(Webhook webhook, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE webhooks SET name = @Name, url = @Url, events = @Events, enabled = @Enabled, updated_at = @UpdatedAt WHERE id = @Id", Parameters(webhook)),
            cancellationToken);

    public Task<bool> DeleteAsync(string webhookId, DateTimeOffset deletedAt, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => await c.ExecuteAsync(
            "UPDATE webhooks SET deleted_at = @at, updated_at = @at WHERE id = @webhookId AND deleted_at IS NULL",
            new { webhookId, at = Ms(deletedAt) }).ConfigureAwait(false) == 1, cancellationToken);

    public Task<Page<WebhookDelivery>> ListDeliveriesAsync(string webhookId, string? status, Paging paging, CancellationToken cancellationToken)
    {
        var args = new { webhookId, status, limit = paging.PerPage, offset = paging.Offset };
        return db.QueryPageAsync($"SELECT {DeliveryColumns}", DeliveryFrom, new SqlWhere("d.webhook_id = @webhookId").And("d.status = @status", status is not null),
            "d.event_seq DESC", (c, sql) => c.QueryAsync<DeliveryRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(),
            cancellationToken);
    }

    public Task<WebhookDelivery?> FindDeliveryAsync(string webhookId, string deliveryId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<DeliveryRow>(
            $"SELECT {DeliveryColumns} FROM {DeliveryFrom} WHERE d.id = @deliveryId AND d.webhook_id = @webhookId",
            new { webhookId, deliveryId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task RetryAsync(string deliveryId, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = @at, updated_at = @at WHERE id = @deliveryId AND status <> 'delivered'",
            new { deliveryId, at = Ms(now) }), cancellationToken);

    public Task<IReadOnlyList<DeliveryHead>> ListHeadsAsync(CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<DeliveryHead>>(async c => (await c.QueryAsync<HeadRow>(
            "SELECT d.id, d.webhook_id, w.url, d.attempts, d.next_attempt_at, d.created_at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id " +
            "WHERE d.status = 'pending' AND w.enabled = 1 AND w.deleted_at IS NULL " +
            "AND d.event_seq = (SELECT MIN(p.event_seq) FROM webhook_deliveries p WHERE p.webhook_id = d.webhook_id AND p.status = 'pending')")
            .ConfigureAwait(false)).Select(r => new DeliveryHead(r.Id, r.WebhookId, r.Url, r.Attempts, Time(r.NextAttemptAt), Time(r.CreatedAt))).ToList(),
            cancellationToken);

    public Task<bool> TryClaimAsync(string deliveryId, string nodeId, DateTimeOffset until, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => await c.ExecuteAsync(
            "UPDATE webhook_deliveries SET claimed_by = @nodeId, claimed_until = @until " +
            "WHERE id = @deliveryId AND status = 'pending' AND (claimed_until IS NULL OR claimed_until < @now OR claimed_by = @nodeId)",
            new { deliveryId, nodeId, until = Ms(until), now = Ms(now) }).ConfigureAwait(false) == 1, cancellationToken);

    public Task<(string EventId, string Event, byte[] Body)> LoadEventAsync(string deliveryId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c =>
        {
            var row = await c.QuerySingleAsync<EventRow>(
                "SELECT e.id, e.event, e.body FROM webhook_deliveries d JOIN webhook_events e ON e.seq = d.event_seq WHERE d.id = @deliveryId",
                new { deliveryId }).ConfigureAwait(false);
            return (row.Id, row.Event, row.Body);
        }, cancellationToken);

    internal sealed record EventRow(string Id, string Event, byte[] Body);

    public Task RecordAttemptAsync(string deliveryId, AttemptOutcome outcome, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE webhook_deliveries SET status = @Status, attempts = attempts + 1, last_response_code = @ResponseCode, last_error = @Error, " +
            "next_attempt_at = @next, updated_at = @at, delivered_at = CASE WHEN @Status = 'delivered' THEN @at ELSE NULL END WHERE id = @deliveryId",
            new { deliveryId, outcome.Status, outcome.ResponseCode, outcome.Error, next = Ms(outcome.NextAttemptAt), at = Ms(now) }), cancellationToken);

    public Task<long> CountPendingAsync(CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'"), cancellationToken);

    public Task PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async (c, t) =>
        {
            await c.ExecuteAsync("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND updated_at < @before", new { before = Ms(before) }, t).ConfigureAwait(false);
            await c.ExecuteAsync("DELETE FROM webhook_events WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = webhook_events.seq)", transaction: t)
                .ConfigureAwait(false);
        }, cancellationToken);

    private static WebhookRow Parameters(Webhook w) => new(
        w.Id, w.AppId, w.Name, w.Url, JsonSerializer.Serialize(w.Events, StoredJsonContext.Default.IReadOnlyListString), Bit(w.Enabled), Ms(w.CreatedAt),
        Ms(w.UpdatedAt));

    /// <summary>A webhook's columns, read and written (a named type: Dapper.AOT binds it at compile time).</summary>
    internal sealed record WebhookRow(string Id, string AppId, string Name, string Url, string Events, long Enabled, long CreatedAt, long UpdatedAt)
    {
        public Webhook ToModel() => new(Id, AppId, Name, Url, JsonSerializer.Deserialize(Events, StoredJsonContext.Default.IReadOnlyListString) ?? [], Enabled != 0, Time(CreatedAt), Time(UpdatedAt));
    }

    internal sealed record HeadRow(string Id, string WebhookId, string Url, long Attempts, long NextAttemptAt, long CreatedAt);

    internal sealed record DeliveryRow(
        string Id, string WebhookId, string EventId, string Event, string Status, long Attempts, long? LastResponseCode, string? LastError, long? NextAttemptAt,
        long CreatedAt, long UpdatedAt, long? DeliveredAt)
    {
        public WebhookDelivery ToModel() => new(
            Id, WebhookId, EventId, Event, Status, Attempts, (int?)LastResponseCode, LastError, Status == DeliveryStatus.Pending ? Time(NextAttemptAt) : null,
            Time(CreatedAt), Time(UpdatedAt), Time(DeliveredAt));
    }
}
