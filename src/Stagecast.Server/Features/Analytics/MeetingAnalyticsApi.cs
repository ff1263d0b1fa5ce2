using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Analytics;

/// <summary>
/// RealtimeKit's day-wise analytics: meeting sessions and participant minutes per UTC day (by session start).
/// Recordings do not exist yet, so their figures are zero. An explicit range lists every day in it.
/// </summary>
public static class MeetingAnalyticsApi
{
    private const int MaxFilledDays = 400;

    public static void MapMeetingAnalytics(this RouteGroupBuilder api) =>
        api.MapGet("/analytics/daywise", DaywiseAsync).WithTags("Analytics").WithSummary("Meeting sessions and participant minutes per day");

    private static async Task<Ok<ApiResponse<DaywiseDto>>> DaywiseAsync(HttpContext context, IAnalyticsStore store, TimeProvider time)
    {
        var query = new QueryParameters(context.Request.Query);
        var start = query.Date("start_date");
        var end = query.Date("end_date");
        if (start > end)
        {
            throw ApiException.BadRequest("\"start_date\" must not be after \"end_date\"");
        }

        DateTimeOffset? from = start is { } s ? new DateTimeOffset(s.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
        DateTimeOffset? to = end is { } e ? new DateTimeOffset(e.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;
        var days = (await store.GetMeetingDailyTotalsAsync(context.App().Id, from, to, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false))
            .ToDictionary(d => d.Date);
        IEnumerable<DateOnly> dates = days.Keys.Order();
        if (start is { } first && end is { } last && last.DayNumber - first.DayNumber < MaxFilledDays)
        {
            dates = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(first.AddDays);
        }

        var sessionDays = dates.Select(d => days.TryGetValue(d, out var day)
            ? new MeetingSessionDayDto(d.ToString("yyyy-MM-dd"), day.Sessions, Math.Round(day.ParticipantSeconds / 60, 3))
            : new MeetingSessionDayDto(d.ToString("yyyy-MM-dd"), 0, 0)).ToList();
        return ApiResults.Ok(new DaywiseDto(
            new RecordingStatsDto(sessionDays.Select(d => new RecordingDayDto(d.Day, 0, 0)).ToList(), 0, 0),
            new MeetingSessionStatsDto(sessionDays, sessionDays.Sum(d => d.TotalSessions), Math.Round(sessionDays.Sum(d => d.TotalSessionMinutes), 3))));
    }
}

public sealed record DaywiseDto(RecordingStatsDto RecordingStats, MeetingSessionStatsDto SessionStats);

public sealed record RecordingStatsDto(IReadOnlyList<RecordingDayDto> DayStats, long RecordingCount, double RecordingMinutesConsumed);

public sealed record RecordingDayDto(string Day, double TotalRecordingMinutes, long TotalRecordings);

public sealed record MeetingSessionStatsDto(IReadOnlyList<MeetingSessionDayDto> DayStats, long SessionsCount, double SessionsMinutesConsumed);

public sealed record MeetingSessionDayDto(string Day, long TotalSessions, double TotalSessionMinutes);
