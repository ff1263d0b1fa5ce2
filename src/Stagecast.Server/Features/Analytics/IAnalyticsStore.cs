namespace Stagecast.Server.Features.Analytics;

public interface IAnalyticsStore
{
    /// <summary>Totals of the livestream sessions of an app that started in [from, to).</summary>
    Task<LivestreamSessionTotals> GetLivestreamTotalsAsync(string appId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken);

    /// <summary>Per-UTC-day totals of the livestream sessions of an app that started in [from, to), by day ascending.</summary>
    Task<IReadOnlyList<DailyLivestreamSessionTotals>> GetLivestreamDailyTotalsAsync(string appId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken);

    /// <summary>Per-UTC-day meeting sessions that started in [from, to) and their participant seconds (open peers up to now).</summary>
    Task<IReadOnlyList<DailyMeetingTotals>> GetMeetingDailyTotalsAsync(string appId, DateTimeOffset? from, DateTimeOffset? to, DateTimeOffset now, CancellationToken cancellationToken);
}

public sealed record DailyMeetingTotals(DateOnly Date, long Sessions, double ParticipantSeconds);

/// <summary>Livestream session totals: count, ingest and viewer seconds.</summary>
public sealed record LivestreamSessionTotals(long Count, double IngestSeconds, double ViewerSeconds);

public sealed record DailyLivestreamSessionTotals(DateOnly Date, long Count, double IngestSeconds, double ViewerSeconds);
