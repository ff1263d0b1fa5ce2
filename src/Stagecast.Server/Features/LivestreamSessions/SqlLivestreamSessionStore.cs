using Dapper;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.LivestreamSessions;

public sealed class SqlLivestreamSessionStore(SqlDatabase db, WebhookSignal webhooks) : ILivestreamSessionStore
{
    private const string SessionColumns =
        "id, livestream_id, app_id, err_message, invoked_time, started_time, stopped_time, ingest_seconds, viewer_seconds, created_at, updated_at, meeting_session_id";

    public async Task StartSessionAsync(LivestreamSession session, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken)
    {
        await db.InTransactionAsync(async (c, t) =>
        {
            await c.ExecuteAsync(
                // A meeting livestream's session exists from its invocation: media starting fills in started_time.
                $"INSERT INTO livestream_sessions ({SessionColumns}) VALUES (@Id, @LivestreamId, @AppId, @ErrMessage, @InvokedTime, @StartedTime, @StoppedTime, " +
                "@IngestSeconds, @ViewerSeconds, @CreatedAt, @UpdatedAt, @MeetingSessionId) " +
                "ON CONFLICT (id) DO UPDATE SET started_time = excluded.started_time, updated_at = excluded.updated_at",
                SessionParameters(session), t).ConfigureAwait(false);
            await c.ExecuteAsync(
                "UPDATE livestreams SET status = 'LIVE', updated_at = @at WHERE id = @id",
                new { id = session.LivestreamId, at = Ms(session.UpdatedAt) }, t).ConfigureAwait(false);
            await WebhookOutbox.AppendAsync(c, t, events, session.UpdatedAt).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        Wake(events);
    }

    public Task InvokeSessionAsync(LivestreamSession session, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async (c, t) =>
        {
            await c.ExecuteAsync(
                $"INSERT INTO livestream_sessions ({SessionColumns}) VALUES (@Id, @LivestreamId, @AppId, @ErrMessage, @InvokedTime, @StartedTime, @StoppedTime, " +
                "@IngestSeconds, @ViewerSeconds, @CreatedAt, @UpdatedAt, @MeetingSessionId)",
                SessionParameters(session), t).ConfigureAwait(false);
            await c.ExecuteAsync(
                "UPDATE livestreams SET status = 'INVOKED', updated_at = @at WHERE id = @id",
                new { id = session.LivestreamId, at = Ms(session.UpdatedAt) }, t).ConfigureAwait(false);
        }, cancellationToken);

    public Task<Page<LivestreamSession>> ListSessionsOfMeetingSessionAsync(string appId, string meetingSessionId, Paging paging, CancellationToken cancellationToken) =>
        db.QueryPageAsync<SessionRow, LivestreamSession>(
            $"SELECT {SessionColumns}", "livestream_sessions", new SqlWhere("app_id = @appId AND meeting_session_id = @meetingSessionId", new { appId, meetingSessionId }),
            "created_at DESC, rowid DESC", paging, r => r.ToModel(), cancellationToken);

    public Task<IReadOnlyList<LivestreamSession>> ListSessionsOfLivestreamsAsync(IReadOnlyCollection<string> livestreamIds, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<LivestreamSession>>(async c => (await c.QueryAsync<SessionRow>(
            $"SELECT {SessionColumns} FROM livestream_sessions WHERE {db.Dialect.InList("livestream_id", "@livestreamIds")} ORDER BY created_at DESC, rowid DESC",
            new { livestreamIds }).ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task<IReadOnlyList<LivestreamSession>> ListInvokedSessionsAsync(CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<LivestreamSession>>(async c => (await c.QueryAsync<SessionRow>(
            $"SELECT {SessionColumns} FROM livestream_sessions WHERE stopped_time IS NULL AND started_time IS NULL").ConfigureAwait(false))
            .Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task UpdateSessionProgressAsync(IReadOnlyCollection<SessionProgress> progress, CancellationToken cancellationToken) =>
        progress.Count == 0
            ? Task.CompletedTask
            : db.InTransactionAsync((c, t) => c.ExecuteAsync(
                "UPDATE livestream_sessions SET ingest_seconds = @IngestSeconds, viewer_seconds = @ViewerSeconds, updated_at = @UpdatedAt WHERE id = @SessionId AND stopped_time IS NULL",
                progress.Select(p => new { p.SessionId, p.IngestSeconds, p.ViewerSeconds, UpdatedAt = Ms(p.UpdatedAt) }), t), cancellationToken);

    public async Task EndSessionAsync(LivestreamSession session, LivestreamStatus livestreamStatus, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken)
    {
        await db.InTransactionAsync(async (c, t) =>
        {
            await c.ExecuteAsync(
                "UPDATE livestream_sessions SET stopped_time = @StoppedTime, err_message = @ErrMessage, ingest_seconds = @IngestSeconds, viewer_seconds = @ViewerSeconds, updated_at = @UpdatedAt WHERE id = @Id",
                SessionParameters(session), t).ConfigureAwait(false);
            await c.ExecuteAsync(
                "UPDATE livestreams SET status = @status, updated_at = @at WHERE id = @id",
                new { id = session.LivestreamId, status = SqlLivestreamStore.StatusText(livestreamStatus), at = Ms(session.UpdatedAt) }, t).ConfigureAwait(false);
            await WebhookOutbox.AppendAsync(c, t, events, session.UpdatedAt).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        Wake(events);
    }

    private void Wake(IReadOnlyCollection<OutboxEvent> events)
    {
        if (events.Count > 0)
        {
            webhooks.Notify();
        }
    }

    public Task<LivestreamSession?> FindSessionAsync(string appId, string sessionId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<SessionRow>(
            $"SELECT {SessionColumns} FROM livestream_sessions WHERE id = @sessionId AND app_id = @appId",
            new { appId, sessionId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<Page<LivestreamSession>> ListSessionsAsync(string livestreamId, Paging paging, CancellationToken cancellationToken) =>
        db.QueryPageAsync<SessionRow, LivestreamSession>(
            $"SELECT {SessionColumns}", "livestream_sessions", new SqlWhere("livestream_id = @livestreamId", new { livestreamId }),
            "created_at DESC, rowid DESC", paging, r => r.ToModel(), cancellationToken);

    public Task<IReadOnlyList<LivestreamSession>> ListOpenSessionsAsync(CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<LivestreamSession>>(async c => (await c.QueryAsync<SessionRow>(
            $"SELECT {SessionColumns} FROM livestream_sessions WHERE stopped_time IS NULL AND started_time IS NOT NULL").ConfigureAwait(false))
            .Select(r => r.ToModel()).ToList(), cancellationToken);

    private static object SessionParameters(LivestreamSession s) => new
    {
        s.Id,
        s.LivestreamId,
        s.AppId,
        s.ErrMessage,
        InvokedTime = Ms(s.InvokedTime),
        StartedTime = Ms(s.StartedTime),
        StoppedTime = Ms(s.StoppedTime),
        s.IngestSeconds,
        s.ViewerSeconds,
        CreatedAt = Ms(s.CreatedAt),
        UpdatedAt = Ms(s.UpdatedAt),
        s.MeetingSessionId,
    };

    private sealed record SessionRow(
        string Id, string LivestreamId, string AppId, string? ErrMessage, long? InvokedTime, long? StartedTime, long? StoppedTime,
        double IngestSeconds, double ViewerSeconds, long CreatedAt, long UpdatedAt, string? MeetingSessionId)
    {
        public LivestreamSession ToModel() => new(
            Id, LivestreamId, AppId, ErrMessage, Time(InvokedTime), Time(StartedTime), Time(StoppedTime), IngestSeconds, ViewerSeconds, Time(CreatedAt), Time(UpdatedAt),
            MeetingSessionId);
    }
}
