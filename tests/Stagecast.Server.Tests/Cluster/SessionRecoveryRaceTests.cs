using Dapper;
using Npgsql;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Cluster;

/// <summary>
/// A live node ends the session a dead node left open while the stream's publisher has just started again on another
/// node: on PostgreSQL the two transactions meet on the livestream's row.
/// </summary>
public sealed class SessionRecoveryRaceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task RecoveryThatWaitedOnANewSessionsStartLeavesTheLivestreamLive()
    {
        string url = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        await using var db = new PostgresDatabase(url);
        await db.MigrateAsync(CancellationToken.None);
        await db.WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO accounts (id, name, created_at) VALUES ('acc', NULL, 0); INSERT INTO apps (id, account_id, name, created_at) VALUES ('app', 'acc', NULL, 0); " +
            "INSERT INTO livestreams (id, app_id, stream_key, stream_key_hash, status, created_at, updated_at, owner_epoch) VALUES ('ls', 'app', '\\x01', '\\x02', 'LIVE', 0, 0, 1); " +
            "INSERT INTO livestream_sessions (id, livestream_id, app_id, started_time, created_at, updated_at, node_id) VALUES ('on-a', 'ls', 'app', 0, 0, 0, 'A')"),
            CancellationToken.None);

        // C starts the stream's new session (its insert, then LIVE under a newer epoch) and has not committed yet.
        await using var onC = new NpgsqlConnection(PostgresDatabase.ToConnectionString(url));
        await onC.OpenAsync();
        await using var starting = await onC.BeginTransactionAsync();
        await onC.ExecuteAsync(
            "INSERT INTO livestream_sessions (id, livestream_id, app_id, started_time, created_at, updated_at, node_id) VALUES ('on-c', 'ls', 'app', 1, 1, 1, 'C')",
            transaction: starting);
        await onC.ExecuteAsync("UPDATE livestreams SET status = 'LIVE', updated_at = 1, owner_epoch = 2 WHERE id = 'ls'", transaction: starting);

        // B, alive, ends what A left open: it waits on the livestream's row.
        var recovery = new SqlLivestreamSessionStore(db, new WebhookSignal(), new NodeIdentity("B"));
        var dead = new LivestreamSession("on-a", "ls", "app", null, null, Now, null, 0, 0, Now, Now);
        var ending = recovery.EndSessionAsync(dead with { StoppedTime = Now, ErrMessage = LivestreamSessionRecovery.Message }, LivestreamStatus.Errored, [], recovery: true,
            CancellationToken.None);
        await Eventually.TrueAsync(async () => await db.WithConnectionAsync(c => c.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"), CancellationToken.None) == 1,
            "the recovery to wait on C's transaction");
        await starting.CommitAsync();

        Assert.False(await ending); // A's session ended, the livestream's status left to C's
        var state = await db.WithConnectionAsync(c => c.QuerySingleAsync<(string Status, long OwnerEpoch)>(
            "SELECT status, owner_epoch FROM livestreams WHERE id = 'ls'"), CancellationToken.None);
        Assert.Equal(("LIVE", 2L), state);
        Assert.Equal(["on-c"], await db.WithConnectionAsync(c => c.QueryAsync<string>(
            "SELECT id FROM livestream_sessions WHERE stopped_time IS NULL"), CancellationToken.None));
    }
}
