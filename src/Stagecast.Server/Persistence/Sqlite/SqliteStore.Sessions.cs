using Dapper;

namespace Stagecast.Server.Persistence.Sqlite;

public sealed partial class SqliteStore
{
    private const string SessionColumns =
        "id, livestream_id, app_id, err_message, invoked_time, started_time, stopped_time, ingest_seconds, viewer_seconds, created_at, updated_at";

    public Task StartSessionAsync(LivestreamSession session, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, t) =>
        {
            await c.ExecuteAsync(
                $"INSERT INTO livestream_sessions ({SessionColumns}) VALUES (@Id, @LivestreamId, @AppId, @ErrMessage, @InvokedTime, @StartedTime, @StoppedTime, @IngestSeconds, @ViewerSeconds, @CreatedAt, @UpdatedAt)",
                SessionParameters(session), t).ConfigureAwait(false);
            await c.ExecuteAsync(
                "UPDATE livestreams SET status = 'LIVE', updated_at = @at WHERE id = @id",
                new { id = session.LivestreamId, at = Ms(session.UpdatedAt) }, t).ConfigureAwait(false);
        }, cancellationToken);

    public Task UpdateSessionProgressAsync(IReadOnlyCollection<SessionProgress> progress, CancellationToken cancellationToken) =>
        progress.Count == 0
            ? Task.CompletedTask
            : InTransactionAsync((c, t) => c.ExecuteAsync(
                "UPDATE livestream_sessions SET ingest_seconds = @IngestSeconds, viewer_seconds = @ViewerSeconds, updated_at = @UpdatedAt WHERE id = @SessionId AND stopped_time IS NULL",
                progress.Select(p => new { p.SessionId, p.IngestSeconds, p.ViewerSeconds, UpdatedAt = Ms(p.UpdatedAt) }), t), cancellationToken);

    public Task EndSessionAsync(LivestreamSession session, LivestreamStatus livestreamStatus, CancellationToken cancellationToken) =>
        InTransactionAsync(async (c, t) =>
        {
            await c.ExecuteAsync(
                "UPDATE livestream_sessions SET stopped_time = @StoppedTime, err_message = @ErrMessage, ingest_seconds = @IngestSeconds, viewer_seconds = @ViewerSeconds, updated_at = @UpdatedAt WHERE id = @Id",
                SessionParameters(session), t).ConfigureAwait(false);
            await c.ExecuteAsync(
                "UPDATE livestreams SET status = @status, updated_at = @at WHERE id = @id",
                new { id = session.LivestreamId, status = StatusText(livestreamStatus), at = Ms(session.UpdatedAt) }, t).ConfigureAwait(false);
        }, cancellationToken);

    public Task<LivestreamSession?> FindSessionAsync(string appId, string sessionId, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<SessionRow>(
            $"SELECT {SessionColumns} FROM livestream_sessions WHERE id = @sessionId AND app_id = @appId",
            new { appId, sessionId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<Page<LivestreamSession>> ListSessionsAsync(string livestreamId, Paging paging, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            long total = await c.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM livestream_sessions WHERE livestream_id = @livestreamId", new { livestreamId }).ConfigureAwait(false);
            var rows = await c.QueryAsync<SessionRow>(
                $"SELECT {SessionColumns} FROM livestream_sessions WHERE livestream_id = @livestreamId ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset",
                new { livestreamId, limit = paging.PerPage, offset = paging.Offset }).ConfigureAwait(false);
            return new Page<LivestreamSession>(rows.Select(r => r.ToModel()).ToList(), total);
        }, cancellationToken);

    public Task<IReadOnlyList<LivestreamSession>> ListOpenSessionsAsync(CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<LivestreamSession>>(async c => (await c.QueryAsync<SessionRow>(
            $"SELECT {SessionColumns} FROM livestream_sessions WHERE stopped_time IS NULL AND started_time IS NOT NULL").ConfigureAwait(false))
            .Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task<SessionTotals> GetSessionTotalsAsync(string appId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c =>
        {
            var row = await c.QuerySingleAsync<TotalsRow>(
                "SELECT COUNT(*) AS count, COALESCE(SUM(ingest_seconds), 0) AS ingest_seconds, COALESCE(SUM(viewer_seconds), 0) AS viewer_seconds " +
                "FROM livestream_sessions WHERE app_id = @appId AND started_time IS NOT NULL AND started_time >= @from AND started_time < @to",
                RangeParameters(appId, from, to)).ConfigureAwait(false);
            return new SessionTotals(row.Count, row.IngestSeconds, row.ViewerSeconds);
        }, cancellationToken);

    public Task<IReadOnlyList<DailySessionTotals>> GetDailyTotalsAsync(string appId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<DailySessionTotals>>(async c => (await c.QueryAsync<DailyRow>(
            "SELECT date(started_time / 1000, 'unixepoch') AS day, COUNT(*) AS count, SUM(ingest_seconds) AS ingest_seconds, SUM(viewer_seconds) AS viewer_seconds " +
            "FROM livestream_sessions WHERE app_id = @appId AND started_time IS NOT NULL AND started_time >= @from AND started_time < @to " +
            "GROUP BY day ORDER BY day",
            RangeParameters(appId, from, to)).ConfigureAwait(false))
            .Select(r => new DailySessionTotals(DateOnly.ParseExact(r.Day, "yyyy-MM-dd"), r.Count, r.IngestSeconds, r.ViewerSeconds)).ToList(),
            cancellationToken);

    private static object RangeParameters(string appId, DateTimeOffset? from, DateTimeOffset? to) =>
        new { appId, from = Ms(from) ?? long.MinValue, to = Ms(to) ?? long.MaxValue };

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
    };

    private sealed class SessionRow
    {
        public string Id { get; set; } = "";

        public string LivestreamId { get; set; } = "";

        public string AppId { get; set; } = "";

        public string? ErrMessage { get; set; }

        public long? InvokedTime { get; set; }

        public long? StartedTime { get; set; }

        public long? StoppedTime { get; set; }

        public double IngestSeconds { get; set; }

        public double ViewerSeconds { get; set; }

        public long CreatedAt { get; set; }

        public long UpdatedAt { get; set; }

        public LivestreamSession ToModel() => new(
            Id, LivestreamId, AppId, ErrMessage, Time(InvokedTime), Time(StartedTime), Time(StoppedTime), IngestSeconds, ViewerSeconds, Time(CreatedAt), Time(UpdatedAt));
    }

    private sealed class TotalsRow
    {
        public long Count { get; set; }

        public double IngestSeconds { get; set; }

        public double ViewerSeconds { get; set; }
    }

    private sealed class DailyRow
    {
        public string Day { get; set; } = "";

        public long Count { get; set; }

        public double IngestSeconds { get; set; }

        public double ViewerSeconds { get; set; }
    }
}
