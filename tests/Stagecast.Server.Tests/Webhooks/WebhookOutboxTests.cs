using Dapper;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting.Database;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Webhooks;

/// <summary>The outbox on a real SQLite file: what an event fans out to, and what history is kept.</summary>
public sealed class SqliteWebhookOutboxTests : WebhookOutboxTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("stagecast-outbox-").FullName;

    protected override Task<SqlDatabase> OpenAsync() => Task.FromResult<SqlDatabase>(new SqliteDatabase(Path.Combine(_directory, "stagecast.db")));

    public override Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>The same on a real PostgreSQL.</summary>
public sealed class PostgresWebhookOutboxTests : WebhookOutboxTests
{
    protected override async Task<SqlDatabase> OpenAsync() => new PostgresDatabase(await (await PostgresServer.GetAsync()).CreateDatabaseAsync());
}

public abstract class WebhookOutboxTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
    private SqlDatabase _db = null!;
    private SqlWebhookStore _store = null!;

    protected abstract Task<SqlDatabase> OpenAsync();

    public async Task InitializeAsync()
    {
        _db = await OpenAsync();
        await _db.MigrateAsync(CancellationToken.None);
        await _db.WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO accounts (id, name, created_at) VALUES ('acc', NULL, 0); INSERT INTO apps (id, account_id, name, created_at) VALUES ('app', 'acc', NULL, 0), ('other', 'acc', NULL, 0);"),
            CancellationToken.None);
        _store = new SqlWebhookStore(_db);
    }

    [Fact]
    public async Task AnEventGoesToEveryEnabledSubscribedWebhookOfItsAppAndIsNotWrittenWhenNobodyListens()
    {
        await Append(Event("meeting.started"));
        Assert.Equal(0, await Count("webhook_events")); // no webhooks: nothing written

        await _store.CreateAsync(Hook("a", "app", ["meeting.started", "meeting.ended"], enabled: true), CancellationToken.None);
        await _store.CreateAsync(Hook("b", "app", ["meeting.ended"], enabled: true), CancellationToken.None);
        await _store.CreateAsync(Hook("c", "app", ["meeting.started"], enabled: false), CancellationToken.None);
        await _store.CreateAsync(Hook("d", "other", ["meeting.started"], enabled: true), CancellationToken.None);
        await Append(Event("meeting.participantJoined"));
        Assert.Equal(0, await Count("webhook_events")); // subscribed by none

        await Append(Event("meeting.started"), Event("meeting.ended"));
        Assert.Equal(2, await Count("webhook_events"));
        var heads = await _store.ListHeadsAsync(CancellationToken.None);
        Assert.Equal(["a", "b"], heads.Select(h => h.WebhookId).Order());
        var forA = (await _store.ListDeliveriesAsync("a", null, new Paging(1, 10), CancellationToken.None)).Items;
        Assert.Equal(["meeting.ended", "meeting.started"], forA.Select(d => d.Event)); // newest first
        Assert.Equal("meeting.started", (await _store.LoadEventAsync(heads.Single(h => h.WebhookId == "a").Id, CancellationToken.None)).Event); // oldest is the head
    }

    [Fact]
    public async Task PurgeForgetsOldFinishedDeliveriesButNeverPendingOnes()
    {
        await _store.CreateAsync(Hook("a", "app", ["meeting.started"], enabled: true), CancellationToken.None);
        await Append(Event("meeting.started"), Event("meeting.started"));
        var deliveries = (await _store.ListDeliveriesAsync("a", null, new Paging(1, 10), CancellationToken.None)).Items;
        await _store.RecordAttemptAsync(deliveries[1].Id, new AttemptOutcome(DeliveryStatus.Delivered, 200, null, null), Now, CancellationToken.None);

        await _store.PurgeAsync(Now.AddDays(1), CancellationToken.None);
        var left = (await _store.ListDeliveriesAsync("a", null, new Paging(1, 10), CancellationToken.None)).Items;
        Assert.Equal([deliveries[0].Id], left.Select(d => d.Id));
        Assert.Equal(1, await Count("webhook_events"));
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    private static OutboxEvent Event(string name) => new(Guid.NewGuid().ToString(), "app", name, "{}"u8.ToArray());

    private static Webhook Hook(string id, string app, string[] events, bool enabled) => new(id, app, id, "http://127.0.0.1:9/", events, enabled, Now, Now);

    private Task Append(params OutboxEvent[] events) =>
        _db.InTransactionAsync((c, t) => WebhookOutbox.AppendAsync(c, t, events, Now), CancellationToken.None);

    private Task<long> Count(string table) => _db.WithConnectionAsync(c => c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table}"), CancellationToken.None);
}
