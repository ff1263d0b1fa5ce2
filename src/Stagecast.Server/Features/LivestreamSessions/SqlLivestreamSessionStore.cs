using Dapper;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.LivestreamSessions;

public sealed class SqlLivestreamSessionStore(SqlDatabase db, WebhookSignal webhooks, NodeIdentity node) : ILivestreamSessionStore
{
    private readonly WebhookEventWriter _events = new(db, webhooks);

    private const string SessionColumns =
        "id, livestream_id, app_id, err_message, invoked_time, started_time, stopped_time, ingest_seconds, viewer_seconds, created_at, updated_at, meeting_session_id";

    private const string InsertSession =
        $"INSERT INTO livestream_sessions ({SessionColumns}, node_id) VALUES (@Id, @LivestreamId, @AppId, @ErrMessage, @InvokedTime, @StartedTime, @StoppedTime, " +
        "@IngestSeconds, @ViewerSeconds, @CreatedAt, @UpdatedAt, @MeetingSessionId, @NodeId)";

    public async Task StartSessionAsync(LivestreamSession session, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken)
    {
        await db.InTransactionAsync(async (c, t) =>
        {
            await c.ExecuteAsync(
                // A meeting livestream's session exists from its invocation: media starting fills in started_time.
                InsertSession + " ON CONFLICT (id) DO UPDATE SET started_time = excluded.started_time, updated_at = excluded.updated_at, node_id = excluded.node_id",
                ParametersOf(session), t).ConfigureAwait(false);
            // The ownership epoch this node publishes under becomes the livestream's: writes under an older one are refused.
            await c.ExecuteAsync(
                "UPDATE livestreams SET status = 'LIVE', updated_at = @at, owner_epoch = CASE WHEN @epoch > owner_epoch THEN @epoch ELSE owner_epoch END WHERE id = @id",
                new { id = session.LivestreamId, at = Ms(session.UpdatedAt), epoch = node.EpochOf(session.LivestreamId) }, t).ConfigureAwait(false);
            await WebhookOutbox.AppendAsync(c, t, events, session.UpdatedAt).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        Wake(events);
    }

    public Task AppendEventsAsync(IReadOnlyCollection<OutboxEvent> events, DateTimeOffset at, CancellationToken cancellationToken) =>
        _events.WriteAsync(events, at, cancellationToken);

    public Task InvokeSessionAsync(LivestreamSession session, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async (c, t) =>
        {
            await c.ExecuteAsync(
                InsertSession,
                ParametersOf(session), t).ConfigureAwait(false);
            await c.ExecuteAsync(
                "UPDATE livestreams SET status = 'INVOKED', updated_at = @at WHERE id = @id",
                new { id = session.LivestreamId, at = Ms(session.UpdatedAt) }, t).ConfigureAwait(false);
        }, cancellationToken);

    public Task<Page<LivestreamSession>> ListSessionsOfMeetingSessionAsync(string appId, string meetingSessionId, Paging paging, CancellationToken cancellationToken)
    {
        var args = new { appId, meetingSessionId, limit = paging.PerPage, offset = paging.Offset };
        return db.QueryPageAsync($"SELECT {SessionColumns}", "livestream_sessions", new SqlWhere("app_id = @appId AND meeting_session_id = @meetingSessionId"),
            "created_at DESC, rowid DESC", (c, sql) => c.QueryAsync<LivestreamSessionRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(),
            cancellationToken);
    }

    public Task<IReadOnlyList<LivestreamSession>> ListSessionsOfLivestreamsAsync(IReadOnlyCollection<string> livestreamIds, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<LivestreamSession>>(async c => (await c.QueryAsync<LivestreamSessionRow>(
            $"SELECT {SessionColumns} FROM livestream_sessions WHERE {db.Dialect.InList("livestream_id", "@livestreamIds")} ORDER BY created_at DESC, rowid DESC",
            new { livestreamIds }).ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task<IReadOnlyList<LivestreamSession>> ListInvokedSessionsAsync(IReadOnlyCollection<string> excludeNodes, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<LivestreamSession>>(async c => (await c.QueryAsync<LivestreamSessionRow>(
            $"SELECT {SessionColumns} FROM livestream_sessions WHERE stopped_time IS NULL AND started_time IS NULL AND {db.Dialect.NotOnNodes()}",
            new { excludeNodes = excludeNodes.ToArray() }).ConfigureAwait(false))
            .Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task UpdateSessionProgressAsync(IReadOnlyCollection<LivestreamSessionProgress> progress, CancellationToken cancellationToken) =>
        progress.Count == 0
            ? Task.CompletedTask
            : db.InTransactionAsync((c, t) => c.ExecuteAsync(
                "UPDATE livestream_sessions SET ingest_seconds = @IngestSeconds, viewer_seconds = @ViewerSeconds, updated_at = @UpdatedAt " +
                $"WHERE id = @SessionId AND stopped_time IS NULL AND {Fenced}",
                progress.Select(p => new { p.SessionId, p.IngestSeconds, p.ViewerSeconds, UpdatedAt = Ms(p.UpdatedAt), epoch = node.EpochOf(p.LivestreamId) }), t),
                cancellationToken);

    public async Task<bool> EndSessionAsync(
        LivestreamSession session, LivestreamStatus livestreamStatus, IReadOnlyCollection<OutboxEvent> events, bool recovery, CancellationToken cancellationToken)
    {
        bool ended = await db.InTransactionAsync(async (c, t) =>
        {
            // The livestream's row is locked first: a session of it starting on another node (insert, then LIVE) commits
            // before or after this whole transaction, never between the check below and its write (on PostgreSQL an
            // UPDATE that waited on the row would recheck the row, not the other sessions, and write ERRORED over LIVE).
            await c.ExecuteAsync("UPDATE livestreams SET owner_epoch = owner_epoch WHERE id = @id", new { id = session.LivestreamId }, t).ConfigureAwait(false);
            // The node running the session ends it only while it still owns the livestream; recovery (of a node that
            // died) ends it at its last figures whoever owns the livestream now.
            if (await c.ExecuteAsync(
                    "UPDATE livestream_sessions SET stopped_time = @StoppedTime, err_message = @ErrMessage, ingest_seconds = @IngestSeconds, viewer_seconds = @ViewerSeconds, " +
                    "updated_at = @UpdatedAt WHERE id = @Id" + (recovery ? "" : " AND " + Fenced),
                    new
                    {
                        session.Id, StoppedTime = Ms(session.StoppedTime), session.ErrMessage, session.IngestSeconds, session.ViewerSeconds,
                        UpdatedAt = Ms(session.UpdatedAt), epoch = node.EpochOf(session.LivestreamId),
                    }, t).ConfigureAwait(false) == 0)
            {
                return false;
            }

            // The livestream's status and webhook follow unless another session of it is open (live on another node).
            if (await c.ExecuteAsync(
                    "UPDATE livestreams SET status = @status, updated_at = @at WHERE id = @id AND NOT EXISTS " +
                    "(SELECT 1 FROM livestream_sessions s WHERE s.livestream_id = @id AND s.stopped_time IS NULL AND s.id <> @sessionId)",
                    new { id = session.LivestreamId, sessionId = session.Id, status = SqlLivestreamStore.StatusText(livestreamStatus), at = Ms(session.UpdatedAt) }, t)
                .ConfigureAwait(false) == 1)
            {
                await WebhookOutbox.AppendAsync(c, t, events, session.UpdatedAt).ConfigureAwait(false);
                return true;
            }

            return false;
        }, cancellationToken).ConfigureAwait(false);
        if (ended)
        {
            Wake(events);
        }

        return ended;
    }

    /// <summary>A write to a session of a livestream this node owns under <c>@epoch</c>: refused once another node owns it under a newer one.</summary>
    private const string Fenced = "@epoch >= (SELECT l.owner_epoch FROM livestreams l WHERE l.id = livestream_sessions.livestream_id)";

    private void Wake(IReadOnlyCollection<OutboxEvent> events)
    {
        if (events.Count > 0)
        {
            webhooks.Notify();
        }
    }

    public Task<LivestreamSession?> FindSessionAsync(string appId, string sessionId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<LivestreamSessionRow>(
            $"SELECT {SessionColumns} FROM livestream_sessions WHERE id = @sessionId AND app_id = @appId",
            new { appId, sessionId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<Page<LivestreamSession>> ListSessionsAsync(string livestreamId, Paging paging, CancellationToken cancellationToken)
    {
        var args = new { livestreamId, limit = paging.PerPage, offset = paging.Offset };
        return db.QueryPageAsync($"SELECT {SessionColumns}", "livestream_sessions", new SqlWhere("livestream_id = @livestreamId"), "created_at DESC, rowid DESC",
            (c, sql) => c.QueryAsync<LivestreamSessionRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(), cancellationToken);
    }

    public Task<IReadOnlyList<LivestreamSession>> ListOpenSessionsAsync(IReadOnlyCollection<string> excludeNodes, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<LivestreamSession>>(async c => (await c.QueryAsync<LivestreamSessionRow>(
            $"SELECT {SessionColumns} FROM livestream_sessions WHERE stopped_time IS NULL AND started_time IS NOT NULL AND {db.Dialect.NotOnNodes()}",
            new { excludeNodes = excludeNodes.ToArray() }).ConfigureAwait(false))
            .Select(r => r.ToModel()).ToList(), cancellationToken);

    private LivestreamSessionParameters ParametersOf(LivestreamSession s) => new(
        node.Id, s.Id, s.LivestreamId, s.AppId, s.ErrMessage, Ms(s.InvokedTime), Ms(s.StartedTime), Ms(s.StoppedTime), s.IngestSeconds, s.ViewerSeconds,
        Ms(s.CreatedAt), Ms(s.UpdatedAt), s.MeetingSessionId);

    /// <summary>A session's columns as <see cref="InsertSession"/> names them (a named type: Dapper.AOT binds it at compile time).</summary>
    internal sealed record LivestreamSessionParameters(
        string NodeId, string Id, string LivestreamId, string AppId, string? ErrMessage, long? InvokedTime, long? StartedTime, long? StoppedTime,
        double IngestSeconds, double ViewerSeconds, long CreatedAt, long UpdatedAt, string? MeetingSessionId);

    internal sealed record LivestreamSessionRow(
        string Id, string LivestreamId, string AppId, string? ErrMessage, long? InvokedTime, long? StartedTime, long? StoppedTime,
        double IngestSeconds, double ViewerSeconds, long CreatedAt, long UpdatedAt, string? MeetingSessionId)
    {
        public LivestreamSession ToModel() => new(
            Id, LivestreamId, AppId, ErrMessage, Time(InvokedTime), Time(StartedTime), Time(StoppedTime), IngestSeconds, ViewerSeconds, Time(CreatedAt), Time(UpdatedAt),
            MeetingSessionId);
    }
}
