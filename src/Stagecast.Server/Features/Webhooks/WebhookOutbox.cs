using System.Data;
using Dapper;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>
/// Writes events into the outbox inside the caller's transaction, so an event exists exactly when the state change
/// that caused it was committed: not lost by a crash after the change, not sent for a change rolled back. Each event
/// becomes one delivery per webhook of its app that is enabled and subscribed to it at that moment; an event no
/// webhook takes is not written at all.
/// </summary>
public static class WebhookOutbox
{
    /// <summary>The webhooks that get an event now: of its app, enabled, not deleted, subscribed to its name.</summary>
    private static string Subscribed(SqlDialect dialect) =>
        $"webhooks w WHERE w.app_id = @AppId AND w.enabled = 1 AND w.deleted_at IS NULL AND {dialect.JsonArrayContains("w.events", "@Event")}";

    public static async Task AppendAsync(IDbConnection connection, IDbTransaction transaction, IReadOnlyCollection<OutboxEvent> events, DateTimeOffset now)
    {
        long at = now.ToUnixTimeMilliseconds();
        var dialect = SqlDialect.Of(connection);
        foreach (var e in events)
        {
            long? seq = await connection.ExecuteScalarAsync<long?>(
                $"INSERT INTO webhook_events (id, app_id, event, body, created_at) SELECT @Id, @AppId, @Event, @Body, @at WHERE EXISTS (SELECT 1 FROM {Subscribed(dialect)}) RETURNING seq",
                new { e.Id, e.AppId, e.Event, Body = new BinaryParameter(e.Body), at }, transaction).ConfigureAwait(false);
            if (seq is null)
            {
                continue; // nobody listens
            }

            await connection.ExecuteAsync(
                "INSERT INTO webhook_deliveries (id, webhook_id, event_seq, status, attempts, next_attempt_at, created_at, updated_at) " +
                $"SELECT {dialect.RandomId}, w.id, @seq, 'pending', 0, @at, @at, @at FROM {Subscribed(dialect)}",
                new { seq, e.AppId, e.Event, at }, transaction).ConfigureAwait(false);
        }
    }
}
