using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Analytics;

public sealed class SqlAnalyticsStore(SqlDatabase db) : IAnalyticsStore
{
    // Sums are cast to floats (SUM of nothing is NULL, and of integers an integer or, in PostgreSQL, a numeric), so rows map to double.
    public Task<LivestreamSessionTotals> GetLivestreamTotalsAsync(string appId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.QuerySingleAsync<LivestreamSessionTotals>(
            $"SELECT COUNT(*) AS count, {Total("ingest_seconds")} AS ingest_seconds, {Total("viewer_seconds")} AS viewer_seconds " +
            "FROM livestream_sessions WHERE app_id = @appId AND started_time IS NOT NULL AND started_time >= @from AND started_time < @to",
            new { appId, from = Since(from), to = Until(to) }), cancellationToken);

    public Task<IReadOnlyList<DailyLivestreamSessionTotals>> GetLivestreamDailyTotalsAsync(string appId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<DailyLivestreamSessionTotals>>(async c => (await c.QueryAsync<DailyRow>(
            $"SELECT {db.Dialect.UtcDay("started_time")} AS day, COUNT(*) AS count, {Total("ingest_seconds")} AS ingest_seconds, {Total("viewer_seconds")} AS viewer_seconds " +
            "FROM livestream_sessions WHERE app_id = @appId AND started_time IS NOT NULL AND started_time >= @from AND started_time < @to " +
            "GROUP BY day ORDER BY day",
            new { appId, from = Since(from), to = Until(to) }).ConfigureAwait(false))
            .Select(r => new DailyLivestreamSessionTotals(DateOnly.ParseExact(r.Day, "yyyy-MM-dd"), r.Count, r.IngestSeconds, r.ViewerSeconds)).ToList(),
            cancellationToken);

    public Task<IReadOnlyList<DailyMeetingTotals>> GetMeetingDailyTotalsAsync(
        string appId, DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<DailyMeetingTotals>>(async c => (await c.QueryAsync<DailyRow>(
            $"SELECT {db.Dialect.UtcDay("s.started_at")} AS day, COUNT(*) AS count, " +
            $"{Total("(SELECT SUM(COALESCE(p.left_at, @now) - p.joined_at) FROM session_peers p WHERE p.session_id = s.id)")} / 1000.0 AS ingest_seconds " +
            "FROM meeting_sessions s WHERE s.app_id = @appId AND s.started_at >= @from AND s.started_at < @to GROUP BY day ORDER BY day",
            new { appId, from = Since(from), to = Until(to), now = Ms(now) }).ConfigureAwait(false))
            .Select(r => new DailyMeetingTotals(DateOnly.ParseExact(r.Day, "yyyy-MM-dd"), r.Count, r.IngestSeconds)).ToList(), cancellationToken);

    private static string Total(string expression) => $"CAST(COALESCE(SUM({expression}), 0) AS DOUBLE PRECISION)";

    private static long Since(DateTimeOffset? from) => Ms(from) ?? long.MinValue;

    private static long Until(DateTimeOffset? to) => Ms(to) ?? long.MaxValue;

    /// <summary>Settable, not positional: for an empty result SQLite reports no types for computed columns, which constructor mapping needs.</summary>
    internal sealed class DailyRow
    {
        public string Day { get; set; } = "";

        public long Count { get; set; }

        public double IngestSeconds { get; set; }

        public double ViewerSeconds { get; set; }
    }
}
