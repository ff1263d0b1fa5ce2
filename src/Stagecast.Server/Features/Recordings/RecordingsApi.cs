using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Recordings;

/// <summary>RealtimeKit's recordings API (API.md section 6): record a meeting's program, stop, pause, resume, list, download.</summary>
public static class RecordingsApi
{
    public static void MapRecordings(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/recordings").WithTags("Recordings");
        group.MapPost("/", StartAsync).WithSummary("Record a meeting's program (201; 409 when one is active unless allow_multiple_recordings)");
        group.MapPost("/track", StartTracksAsync).WithSummary("Record each publishing participant's tracks as they came, one file per track")
            .WithDescription("JSON body: {\"meeting_id\": string, \"layers\"?: object (accepted, not used)}.");
        group.MapPut("/{recording_id}", ActAsync).WithSummary("Stop, pause or resume a recording").WithDescription("JSON body: {\"action\": \"stop\" | \"pause\" | \"resume\"}.");
        group.MapGet("/", ListAsync).WithSummary("Recordings (meeting_id, status, start_time, end_time, page_no, per_page, sort_order)");
        group.MapGet("/{recording_id}", GetAsync).WithSummary("One recording, with a signed download link once stored");
        group.MapGet("/active-recording/{meeting_id}", ActiveAsync).WithSummary("The meeting's active recording (404 when none)");
    }

    /// <summary>The signed file download (outside the API: the URL is the credential until it expires), with ranges so players seek.</summary>
    public static IEndpointRouteBuilder MapRecordingDownload(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(RecordingViews.DownloadPath, async (HttpContext context, SqlRecordingStore store, RecordingService recordings, DownloadSigner signer,
            string recording_id, string file) =>
        {
            if (!signer.IsSigned(context.Request, context.Request.Path.Value!))
            {
                return SignedDownloads.Refused();
            }

            var recording = await store.FindAsync(recording_id, context.RequestAborted).ConfigureAwait(false);
            if (recording is not { Status: RecordingStatus.Uploaded } || recordings.PathOf(recording, file) is not { } path || !File.Exists(path))
            {
                return ApiResults.Error(StatusCodes.Status404NotFound, "this recording has no file");
            }

            context.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.File(path, RecordingService.ContentTypeOf(path), enableRangeProcessing: true);
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<Created<ApiResponse<RecordingDto>>> StartAsync(HttpContext context, MeetingService meetings, ProgramRecordings programs,
        RecordingViews views, JsonBody<StartRecordingRequest> body)
    {
        var meeting = await meetings.FindAsync(context.App().Id, body.Value.MeetingId!, context.RequestAborted).ConfigureAwait(false);
        var view = views.View(await programs.StartAsync(meeting, body.Value, "API_CALL").ConfigureAwait(false));
        return ApiResults.Created(context, view.Id, view);
    }

    private static async Task<Created<ApiResponse<RecordingDto>>> StartTracksAsync(HttpContext context, MeetingService meetings, TrackRecordings tracks,
        RecordingViews views, JsonBody<StartTrackRecordingRequest> body)
    {
        var meeting = await meetings.FindAsync(context.App().Id, body.Value.MeetingId!, context.RequestAborted).ConfigureAwait(false);
        var view = views.View(await tracks.StartAsync(meeting).ConfigureAwait(false));
        return TypedResults.Created($"{context.Request.Path.Value![..^"/track".Length]}/{view.Id}", new ApiResponse<RecordingDto>(true, view));
    }

    private static async Task<Ok<ApiResponse<RecordingDto>>> ActAsync(HttpContext context, SqlRecordingStore store, RecordingService recordings,
        RecordingViews views, JsonBody<RecordingActionRequest> body, string recording_id)
    {
        var recording = await FindAsync(context, store, recording_id).ConfigureAwait(false);
        var changed = await recordings.ActAsync(recording.Id, body.Value.Action!, "API_CALL").ConfigureAwait(false)
            ?? throw ApiException.Conflict($"recording {recording_id} is not active ({recording.Status.Name()})");
        return ApiResults.Ok(views.View(changed));
    }

    private static async Task<Ok<ApiListResponse<RecordingDto>>> ListAsync(HttpContext context, SqlRecordingStore store, RecordingViews views)
    {
        var query = new QueryParameters(context.Request.Query);
        var paging = query.Paging();
        var (from, to) = query.TimeRange();
        var status = RecordingStatuses.Parse(query.Choice("status", "INVOKED", "RECORDING", "PAUSED", "UPLOADING", "UPLOADED", "ERRORED"));
        var page = await store.ListAsync(context.App().Id, new RecordingFilter(query.Text("meeting_id"), status, from, to, query.Ascending()), paging,
            context.RequestAborted).ConfigureAwait(false);
        return ApiResults.List(page.Items.Select(views.View).ToList(), paging, page.TotalCount);
    }

    private static async Task<Ok<ApiResponse<RecordingDto>>> GetAsync(HttpContext context, SqlRecordingStore store, RecordingViews views, string recording_id) =>
        ApiResults.Ok(views.View(await FindAsync(context, store, recording_id).ConfigureAwait(false)));

    private static async Task<Ok<ApiResponse<RecordingDto>>> ActiveAsync(HttpContext context, MeetingService meetings, RecordingService recordings, RecordingViews views,
        string meeting_id)
    {
        await meetings.FindAsync(context.App().Id, meeting_id, context.RequestAborted).ConfigureAwait(false);
        var active = recordings.ActiveFor(meeting_id) ?? throw ApiException.NotFound($"meeting {meeting_id} has no active recording");
        return ApiResults.Ok(views.View(active));
    }

    private static async Task<Recording> FindAsync(HttpContext context, SqlRecordingStore store, string id) =>
        await store.FindAsync(context.App().Id, id, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No recording found with id {id}");
}

/// <summary>Its <see cref="StorageConfig"/> is validated as part of it (RequestValidator follows nested request records).</summary>
public sealed record StartRecordingRequest
{
    [Required]
    [StringLength(64)]
    public string? MeetingId { get; init; }

    [Range(1, 24 * 3600)]
    public int? MaxSeconds { get; init; }

    [StringLength(100)]
    public string? FileNamePrefix { get; init; }

    public RecordingVideoConfig? VideoConfig { get; init; }

    public bool AllowMultipleRecordings { get; init; }

    /// <summary>Upload the finished recording there (S3 or S3-compatible) instead of keeping it here.</summary>
    public StorageConfigRequest? StorageConfig { get; init; }
}

public sealed record StartTrackRecordingRequest
{
    [Required]
    [StringLength(64)]
    public string? MeetingId { get; init; }

    /// <summary>RealtimeKit's per-layer options; every track is recorded as it came, so they change nothing here.</summary>
    public System.Text.Json.Nodes.JsonObject? Layers { get; init; }
}

public sealed record RecordingVideoConfig
{
    [Range(160, 1920)]
    public int? Width { get; init; }

    [Range(90, 1080)]
    public int? Height { get; init; }
}

public sealed record RecordingActionRequest
{
    [Required]
    [AllowedValues("stop", "pause", "resume")]
    public string? Action { get; init; }
}

/// <summary>RealtimeKit's recording object.</summary>
public sealed record RecordingDto(
    string Id,
    string Status,
    DateTimeOffset InvokedTime,
    DateTimeOffset? StartedTime,
    DateTimeOffset? StoppedTime,
    string OutputFileName,
    long? FileSize,
    string? DownloadUrl,
    DateTimeOffset? DownloadUrlExpiry,
    string? AudioDownloadUrl,
    double? RecordingDuration,
    string? SessionId,
    string? MeetingId,
    string? LivestreamId,
    string StartReason,
    string? StopReason,
    string? ErrMessage,
    IReadOnlyList<RecordedTrackDto>? Tracks = null,
    string? CaptionsDownloadUrl = null)
{
    public static RecordingDto From(Recording r, string? downloadUrl, DateTimeOffset? expiry) => new(
        r.Id, r.Status.Name(), r.InvokedTime, r.StartedTime, r.StoppedTime, r.OutputFileName, r.FileSize, downloadUrl, expiry, null, r.Duration,
        r.SessionId, r.MeetingId, r.LivestreamId, r.StartReason, r.StopReason, r.Error);
}

/// <summary>One file of a track recording, with its signed download link.</summary>
public sealed record RecordedTrackDto(string PeerId, string Source, string Kind, string Codec, string FileName, long? FileSize, string DownloadUrl);
