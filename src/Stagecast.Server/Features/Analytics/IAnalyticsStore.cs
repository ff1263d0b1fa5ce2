namespace Stagecast.Server.Features.Analytics;

public interface IAnalyticsStore
{
    /// <summary>Totals of the livestream sessions of an app that started in [from, to).</summary>
    Task<SessionTotals> GetLivestreamTotalsAsync(string appId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken);

    /// <summary>Per-UTC-day totals of the livestream sessions of an app that started in [from, to), by day ascending.</summary>
    Task<IReadOnlyList<DailySessionTotals>> GetLivestreamDailyTotalsAsync(string appId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken);
}

/// <summary>Livestream session totals: count, ingest and viewer seconds.</summary>
public sealed record SessionTotals(long Count, double IngestSeconds, double ViewerSeconds);

public sealed record DailySessionTotals(DateOnly Date, long Count, double IngestSeconds, double ViewerSeconds);
