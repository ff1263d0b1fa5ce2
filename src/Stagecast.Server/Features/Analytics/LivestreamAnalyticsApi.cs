using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Analytics;

/// <summary>L11 and L12: totals of the livestream sessions that started in a time range.</summary>
public static class LivestreamAnalyticsApi
{
    /// <summary>Daywise answers list every day of an explicit range (zeros included) up to this many days.</summary>
    private const int MaxFilledDays = 400;

    public static void MapLivestreamAnalytics(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/analytics/livestreams").WithTags("Analytics");
        group.MapGet("/overall", OverallAsync).WithSummary("Session count, ingest and viewer seconds in a range");
        group.MapGet("/daywise", DaywiseAsync).WithSummary("The same per UTC day");
    }

    private static async Task<Ok<ApiResponse<AnalyticsOverallDto>>> OverallAsync(HttpContext context, IAnalyticsStore store)
    {
        var (from, to) = new QueryParameters(context.Request.Query).TimeRange();
        var totals = await store.GetLivestreamTotalsAsync(context.App().Id, from, to, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Ok(new AnalyticsOverallDto(totals.Count, Whole(totals.IngestSeconds), Whole(totals.ViewerSeconds)));
    }

    private static async Task<Ok<ApiResponse<IReadOnlyList<AnalyticsDayDto>>>> DaywiseAsync(HttpContext context, IAnalyticsStore store)
    {
        var (from, to) = new QueryParameters(context.Request.Query).TimeRange();
        var days = await store.GetLivestreamDailyTotalsAsync(context.App().Id, from, to, context.RequestAborted).ConfigureAwait(false);
        var byDate = days.ToDictionary(d => d.Date);
        IEnumerable<DateOnly> dates = byDate.Keys.Order();
        if (from is { } start && to is { } end && end > start)
        {
            var first = DateOnly.FromDateTime(start.UtcDateTime);
            var last = DateOnly.FromDateTime(end.AddTicks(-1).UtcDateTime);
            if (last.DayNumber - first.DayNumber < MaxFilledDays)
            {
                dates = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(first.AddDays);
            }
        }

        var result = dates.Select(date => byDate.TryGetValue(date, out var day)
            ? new AnalyticsDayDto(date.ToString("yyyy-MM-dd"), day.Count, Whole(day.IngestSeconds), Whole(day.ViewerSeconds))
            : new AnalyticsDayDto(date.ToString("yyyy-MM-dd"), 0, 0, 0)).ToList();
        return ApiResults.Ok<IReadOnlyList<AnalyticsDayDto>>(result);
    }

    private static long Whole(double seconds) => (long)Math.Round(seconds);
}

public sealed record AnalyticsOverallDto(long Count, long TotalIngestSeconds, long TotalViewerSeconds);

public sealed record AnalyticsDayDto(string Date, long Count, long TotalIngestSeconds, long TotalViewerSeconds);
