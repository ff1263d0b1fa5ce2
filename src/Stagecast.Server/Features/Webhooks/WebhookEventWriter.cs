using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>
/// Writes events that go with no state change of their own (a transcript ready, a rendition's status) into the outbox
/// in a transaction of their own, and wakes the dispatcher so they go out at once. Events caused by a change are
/// written with it instead (<see cref="WebhookOutbox"/>).
/// </summary>
public sealed class WebhookEventWriter(SqlDatabase db, WebhookSignal signal)
{
    public async Task WriteAsync(IReadOnlyCollection<OutboxEvent> events, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        await db.InTransactionAsync((c, t) => WebhookOutbox.AppendAsync(c, t, events, at), cancellationToken).ConfigureAwait(false);
        signal.Notify();
    }
}
