using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.RoomStreams;

/// <summary>Room streams (API.md section 4): push a meeting's program to RTMP(S) destinations while its session lasts.</summary>
public static class RoomStreamsApi
{
    public static void MapRoomStreams(this RouteGroupBuilder api)
    {
        var meeting = api.MapGroup("/meetings/{meeting_id}/active-session/streams").WithTags("Room streams");
        meeting.MapPost("/", StartAsync).WithSummary("Push the meeting's program to an RTMP(S) URL (409 without an active session)")
            .WithDescription("JSON body: {\"url\": \"rtmp(s)://host/app/stream-key\"}.");
        meeting.MapGet("/", ListActiveAsync).WithSummary("The room streams of the meeting's session in progress");
        api.MapGet("/sessions/{session_id}/streams", ListOfSessionAsync).WithTags("Room streams").WithSummary("The room streams of a meeting session");
        api.MapGet("/streams/{stream_id}", GetAsync).WithTags("Room streams").WithSummary("One room stream");
        api.MapPost("/streams/{stream_id}/stop", StopAsync).WithTags("Room streams").WithSummary("Stop a room stream (409 when already completed)");
    }

    private static async Task<Created<ApiResponse<RoomStreamView>>> StartAsync(HttpContext context, MeetingService meetings, RoomStreamService streams,
        JsonBody<RoomStreamSetting> body, string meeting_id)
    {
        var meeting = await meetings.FindAsync(context.App().Id, meeting_id, context.RequestAborted).ConfigureAwait(false);
        var view = await streams.StartAsync(meeting, body.Value.Url!, context.RequestAborted).ConfigureAwait(false);
        string location = context.Request.Path.Value!.Replace($"/meetings/{meeting_id}/active-session/streams", $"/streams/{view.Id}", StringComparison.Ordinal);
        return TypedResults.Created(location.TrimEnd('/'), new ApiResponse<RoomStreamView>(true, view));
    }

    private static async Task<Ok<ApiListResponse<RoomStreamView>>> ListActiveAsync(HttpContext context, MeetingService meetings, MeetingRooms rooms,
        IRoomStreamStore store, RoomStreamService streams, string meeting_id)
    {
        await meetings.FindAsync(context.App().Id, meeting_id, context.RequestAborted).ConfigureAwait(false);
        string sessionId = rooms.Find(meeting_id)?.SessionId ?? throw ApiException.NotFound($"meeting {meeting_id} has no active session");
        return await ListAsync(context, store, streams, sessionId).ConfigureAwait(false);
    }

    private static Task<Ok<ApiListResponse<RoomStreamView>>> ListOfSessionAsync(HttpContext context, IRoomStreamStore store, RoomStreamService streams, string session_id) =>
        ListAsync(context, store, streams, session_id);

    private static async Task<Ok<ApiListResponse<RoomStreamView>>> ListAsync(HttpContext context, IRoomStreamStore store, RoomStreamService streams, string sessionId)
    {
        var list = (await store.ListBySessionAsync(context.App().Id, sessionId, context.RequestAborted).ConfigureAwait(false)).Select(streams.View).ToList();
        return ApiResults.List(list, new Paging(1, Math.Max(list.Count, 1)), list.Count);
    }

    private static async Task<Ok<ApiResponse<RoomStreamView>>> GetAsync(HttpContext context, IRoomStreamStore store, RoomStreamService streams, string stream_id) =>
        ApiResults.Ok(streams.View(await FindAsync(context, store, stream_id).ConfigureAwait(false)));

    private static async Task<Ok<ApiResponse<RoomStreamView>>> StopAsync(HttpContext context, IRoomStreamStore store, RoomStreamService streams, string stream_id)
    {
        await FindAsync(context, store, stream_id).ConfigureAwait(false);
        var view = await streams.StopAsync(stream_id, "stopped through the API").ConfigureAwait(false)
            ?? throw ApiException.Conflict($"room stream {stream_id} is already completed");
        return ApiResults.Ok(view);
    }

    private static async Task<RoomStream> FindAsync(HttpContext context, IRoomStreamStore store, string streamId) =>
        await store.FindAsync(context.App().Id, streamId, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No room stream found with id {streamId}");
}
