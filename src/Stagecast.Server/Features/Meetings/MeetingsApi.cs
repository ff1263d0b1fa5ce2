using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Meetings;

/// <summary>Meetings (RealtimeKit's /meetings).</summary>
public static class MeetingsApi
{
    public static void MapMeetings(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/meetings").WithTags("Meetings");
        group.MapPost("/", CreateAsync).WithSummary("Create a meeting");
        group.MapGet("/", ListAsync).WithSummary("List meetings; search on id and title, filter by status and creation time");
        group.MapGet("/{meeting_id}", GetAsync).WithSummary("A meeting");
        group.MapPatch("/{meeting_id}", (HttpContext c, MeetingService s, JsonBody<MeetingRequest> b, string meeting_id) => UpdateAsync(c, s, b, meeting_id, replace: false))
            .WithSummary("Change a meeting; INACTIVE ends its session and refuses joins");
        group.MapPut("/{meeting_id}", (HttpContext c, MeetingService s, JsonBody<MeetingRequest> b, string meeting_id) => UpdateAsync(c, s, b, meeting_id, replace: true))
            .WithSummary("Replace a meeting's settings");
    }

    private static async Task<Created<ApiResponse<MeetingDto>>> CreateAsync(HttpContext context, MeetingService meetings, JsonBody<MeetingRequest> body)
    {
        var meeting = await meetings.CreateAsync(context.App().Id, body.Value, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Created(context, meeting.Id, MeetingDto.From(meeting));
    }

    private static async Task<Ok<ApiListResponse<MeetingDto>>> ListAsync(HttpContext context, IMeetingStore store)
    {
        var query = new QueryParameters(context.Request.Query);
        var paging = query.Paging();
        var (from, to) = query.TimeRange();
        var status = query.Choice("status", "ACTIVE", "INACTIVE") switch
        {
            "ACTIVE" => MeetingStatus.Active,
            "INACTIVE" => MeetingStatus.Inactive,
            _ => (MeetingStatus?)null,
        };
        var page = await store.ListAsync(context.App().Id, new MeetingFilter(query.Search(), status, from, to, query.Ascending()), paging, context.RequestAborted)
            .ConfigureAwait(false);
        return ApiResults.List(page.Items.Select(MeetingDto.From).ToList(), paging, page.TotalCount);
    }

    private static async Task<Ok<ApiResponse<MeetingDto>>> GetAsync(HttpContext context, MeetingService meetings, string meeting_id) =>
        ApiResults.Ok(MeetingDto.From(await meetings.FindAsync(context.App().Id, meeting_id, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<ApiResponse<MeetingDto>>> UpdateAsync(HttpContext context, MeetingService meetings, JsonBody<MeetingRequest> body, string meetingId, bool replace) =>
        ApiResults.Ok(MeetingDto.From(await meetings.UpdateAsync(context.App().Id, meetingId, body.Value, replace, context.RequestAborted).ConfigureAwait(false)));
}
