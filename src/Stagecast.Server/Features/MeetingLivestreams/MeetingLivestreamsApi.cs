using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.MeetingLivestreams;

/// <summary>L6-L10: the livestreams of meetings.</summary>
public static class MeetingLivestreamsApi
{
    public static void MapMeetingLivestreams(this RouteGroupBuilder api)
    {
        var meetings = api.MapGroup("/meetings/{meeting_id}").WithTags("Livestreams");
        meetings.MapPost("/livestreams", StartAsync).WithSummary("Start livestreaming a meeting (L9): INVOKED, with ingest server, key and playback URL");
        meetings.MapGet("/active-livestream", GetActiveAsync).WithSummary("The meeting's active livestream (L6)");
        meetings.MapPost("/active-livestream/stop", StopAsync).WithSummary("Stop the meeting's livestream (L7)");
        meetings.MapGet("/livestream", ListAsync).WithSummary("The meeting's livestreams and their sessions (L8)");
        api.MapGet("/sessions/{session_id}/livestream-sessions", SessionsOfMeetingSessionAsync).WithTags("Livestreams")
            .WithSummary("Livestream sessions of a meeting session (L10)");
    }

    private static async Task<Created<ApiResponse<LivestreamDto>>> StartAsync(HttpContext context, MeetingService meetings, MeetingLivestreamService livestreams,
        IMeetingSessionStore sessions, TimeProvider time, JsonBody<StartMeetingLivestreamRequest> body, string meeting_id)
    {
        var meeting = await meetings.FindAsync(context.App().Id, meeting_id, context.RequestAborted).ConfigureAwait(false);
        var meetingSession = await sessions.FindLiveSessionAsync(meeting_id, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        var view = await livestreams.StartAsync(meeting, meetingSession?.Id, body.Value, context.RequestAborted).ConfigureAwait(false);
        return TypedResults.Created($"{context.Request.Path.Value!.Replace($"/meetings/{meeting_id}/livestreams", "/livestreams", StringComparison.Ordinal)}/{view.Record.Id}",
            new ApiResponse<LivestreamDto>(true, LivestreamDto.From(view, context.App())));
    }

    private static async Task<Ok<ApiResponse<MeetingLivestreamDto>>> GetActiveAsync(HttpContext context, MeetingService meetings, MeetingLivestreamService livestreams,
        LivestreamService livestreamService, IMeetingLivestreamPrograms programs, string meeting_id)
    {
        await meetings.FindAsync(context.App().Id, meeting_id, context.RequestAborted).ConfigureAwait(false);
        var active = livestreams.ActiveFor(meeting_id) ?? throw NoneActive(meeting_id);
        // As stored (its status with its sessions), like every other livestream the API shows.
        var stored = await livestreamService.FindAsync(context.App(), active.LivestreamId, context.RequestAborted).ConfigureAwait(false) ?? throw NoneActive(meeting_id);
        return ApiResults.Ok(new MeetingLivestreamDto(LivestreamDto.From(stored, context.App()), programs.Status(meeting_id, active.LivestreamId)));
    }

    private static async Task<Ok<ApiResponse<MessageDto>>> StopAsync(HttpContext context, MeetingService meetings, MeetingLivestreamService livestreams, string meeting_id)
    {
        await meetings.FindAsync(context.App().Id, meeting_id, context.RequestAborted).ConfigureAwait(false);
        return await livestreams.StopAsync(meeting_id, "stopped through the API").ConfigureAwait(false)
            ? ApiResults.Message("Stopped live stream successfully")
            : throw NoneActive(meeting_id);
    }

    private static async Task<Ok<ApiResponse<MeetingLivestreamsDto>>> ListAsync(HttpContext context, MeetingService meetings, LivestreamService livestreamService,
        ILivestreamStore store, ILivestreamSessionStore sessionStore, LivestreamSessionViews views, SqlDatabase db, string meeting_id)
    {
        await meetings.FindAsync(context.App().Id, meeting_id, context.RequestAborted).ConfigureAwait(false);
        var paging = new QueryParameters(context.Request.Query).Paging();
        var (page, sessions) = await db.ReadSnapshotAsync<(Page<Livestream>, IReadOnlyList<LivestreamSession>)>(async () =>
        {
            var page = await store.ListMeetingLivestreamsAsync(context.App().Id, meeting_id, paging, context.RequestAborted).ConfigureAwait(false);
            return (page, page.Items.Count == 0 ? []
                : await sessionStore.ListSessionsOfLivestreamsAsync(page.Items.Select(l => l.Id).ToList(), context.RequestAborted).ConfigureAwait(false));
        }, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Ok(new MeetingLivestreamsDto(
            page.Items.Select(l => LivestreamDto.From(livestreamService.View(l), context.App())).ToList(),
            sessions.Select(views.Show).ToList(),
            PagingDto.For(paging, page.Items.Count, page.TotalCount)));
    }

    private static async Task<Ok<ApiListResponse<LivestreamSessionDto>>> SessionsOfMeetingSessionAsync(
        HttpContext context, IMeetingSessionStore sessions, ILivestreamSessionStore store, LivestreamSessionViews views, TimeProvider time, string session_id)
    {
        _ = await sessions.FindSessionAsync(context.App().Id, session_id, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No session found with id {session_id}");
        var paging = new QueryParameters(context.Request.Query).Paging();
        var page = await store.ListSessionsOfMeetingSessionAsync(context.App().Id, session_id, paging, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.List(page.Items.Select(views.Show).ToList(), paging, page.TotalCount);
    }

    private static ApiException NoneActive(string meetingId) => ApiException.NotFound($"No active livestream found for meeting {meetingId}");
}

/// <summary>L8: the meeting's livestreams (paged) and the sessions of those livestreams.</summary>
public sealed record MeetingLivestreamsDto(IReadOnlyList<LivestreamDto> Livestreams, IReadOnlyList<LivestreamSessionDto> Sessions, PagingDto Paging);
