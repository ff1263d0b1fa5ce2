using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Plugins;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Features.Transcription;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.RealtimeKit;

/// <summary>
/// The REST calls RealtimeKit's client makes to <c>https://api.{base}</c> with a participant token (the study's
/// section 2), each checked against the participant's preset on the server: participant-details at init, the meeting's
/// livestream and its recordings, the app's plugins, files for chat, and the live session's transcript so far.
/// Answered to any origin: the app's page is on its own.
/// </summary>
public static class ParticipantApi
{
    public const string CorsPolicy = "realtimekit";

    /// <summary>The plugins <c>GET /v2/plugins/user</c> lists at most (the app's first, oldest first).</summary>
    private const int MaxPlugins = 100;

    public static void AddCorsPolicy(Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions options) =>
        options.AddPolicy(CorsPolicy, policy => policy
            .AllowAnyOrigin()
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Put)
            .AllowAnyHeader() // authorization, content-type, traceparent, tracing-id, x-realtimekit-version, and whatever a later client adds
            .SetPreflightMaxAge(TimeSpan.FromDays(1)));

    public static WebApplication MapRealtimeKitApi(this WebApplication app)
    {
        var hosts = app.Services.GetRequiredService<RealtimeKitHosts>();
        var v2 = ApiRoutes.Group(app, "/v2", documented: true)
            .RequireHost(hosts.Api)
            .RequireCors(CorsPolicy)
            .RequireAuthorization(ParticipantAuthenticationHandler.Policy)
            .WithTags("RealtimeKit client");
        v2.MapGet("/internals/participant-details", DetailsAsync).WithSummary("The participant, its preset in RealtimeKit's shape and its meeting (the client's init)");
        v2.MapGet("/meetings/{meeting_id}/active-livestream", ActiveLivestreamAsync).WithSummary("The meeting's livestream, if one is active");
        v2.MapPost("/meetings/{meeting_id}/livestreams", StartLivestreamAsync).WithSummary("Start the meeting's livestream (can_livestream)");
        v2.MapPost("/meetings/{meeting_id}/active-livestream/stop", StopLivestreamAsync).WithSummary("Stop the meeting's livestream (can_livestream)");
        v2.MapPost("/recordings", StartRecordingAsync).WithSummary("Record the participant's meeting (can_record)");
        v2.MapPut("/recordings/{recording_id}", ActOnRecordingAsync).WithSummary("Stop, pause or resume a recording of the participant's meeting (can_record)");
        v2.MapGet("/plugins/user", PluginsAsync).WithSummary("The app's plugins, as the participant may use them (1.5.x clients ask at init)");
        v2.MapPost("/plugins/authorize/{plugin_id}", AuthorizePluginAsync).WithSummary("A token for a plugin's frame, before the client shows it (1.5.x)");
        v2.MapPost("/meetings/chat-upload", ChatUploadAsync)
            .WithSummary("Reserve a file or image for chat: where to PUT it and its download link (a peer of the live session whose preset allows files)");
        v2.MapGet("/meetings/{meeting_id}/active-transcript", ActiveTranscriptAsync)
            .WithSummary("Where the live session's transcript so far downloads, as the SDK reads it (the SDK asks at init when the preset has transcription_enabled)");
        return app;
    }

    private static async Task<Ok<ApiResponse<JsonObject>>> DetailsAsync(HttpContext context, MeetingService meetings)
    {
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        var participant = caller.Participant;
        var meeting = await meetings.FindAsync(participant.AppId, participant.MeetingId, context.RequestAborted).ConfigureAwait(false);
        string host = context.Request.Host.Value!;
        // No nulls: the client copies these fields into protobuf messages, whose writer throws on a null string.
        return ApiResults.Ok(WithoutNulls(new JsonObject
        {
            ["participant"] = new JsonObject
            {
                ["id"] = participant.Id,
                ["name"] = participant.Name,
                ["picture"] = participant.Picture,
                ["custom_participant_id"] = participant.CustomParticipantId,
                ["preset_name"] = caller.Preset.Name,
                ["organization_id"] = participant.AppId,
            },
            ["preset"] = ParticipantPreset.From(caller.Preset),
            ["meeting"] = new JsonObject { ["id"] = meeting.Id, ["title"] = meeting.Title },
            // The socket on the host (and port) this call came to: api.{base} becomes socket-edge.{base}.
            ["socket"] = new JsonObject { ["base_uri"] = host["api.".Length..] },
        }));
    }

    /// <summary>
    /// The app's plugins in the shape 1.5.x clients read (<c>baseURL</c>, camel case); <c>can_start</c> says whether this
    /// participant may start each (its preset's <c>plugins.can_start</c> and the plugin's list of presets).
    /// </summary>
    private static async Task<Ok<ApiResponse<PluginsDto>>> PluginsAsync(HttpContext context, IPluginStore store)
    {
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        var page = await store.ListAsync(caller.Participant.AppId, null, new Paging(1, MaxPlugins), context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Ok(new PluginsDto([.. page.Items.Select(p => new JsonObject
        {
            ["id"] = p.Id,
            ["name"] = p.Name,
            ["description"] = p.Description,
            ["picture"] = p.Picture ?? "",
            ["baseURL"] = p.BaseUrl,
            ["organizationId"] = p.AppId,
            ["private"] = true,
            ["published"] = true,
            ["staggered"] = false,
            ["tags"] = new JsonArray(),
            ["type"] = "meeting",
            ["createdAt"] = p.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            ["updatedAt"] = p.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
            ["can_start"] = caller.Permissions.PluginsCanStart && p.StartableBy(caller.Preset.Name),
        })]));
    }

    /// <summary>
    /// A token the client hands the plugin's frame (its <c>auth</c> parameter): any participant of the meeting gets one
    /// for a plugin of the app, as every client asks when a plugin opens. Opaque and random: Stagecast has no API for
    /// plugins to call with it (a plugin of its own talks through the client's frame messages).
    /// </summary>
    private static async Task<Ok<ApiResponse<PluginTokenDto>>> AuthorizePluginAsync(HttpContext context, IPluginStore store, string plugin_id)
    {
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        _ = await store.FindAsync(caller.Participant.AppId, plugin_id, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No plugin found with id {plugin_id}");
        return ApiResults.Ok(new PluginTokenDto(Secrets.RandomBase62(32)));
    }

    private static JsonObject WithoutNulls(JsonObject document)
    {
        foreach (var (name, value) in document.ToList())
        {
            if (value is null)
            {
                document.Remove(name);
            }
            else if (value is JsonObject child)
            {
                WithoutNulls(child);
            }
        }

        return document;
    }

    /// <summary>
    /// Reserves a file for chat when the participant may send one now (<see cref="MeetingRooms.RequireFileSender"/>), with
    /// links on the <c>api.</c> host the client calls (<see cref="RealtimeKitHosts.ApiOrigin"/>).
    /// </summary>
    private static async Task<Ok<ApiResponse<ChatUploadDto>>> ChatUploadAsync(HttpContext context, ChatFiles files, MeetingRooms rooms, RealtimeKitHosts hosts,
        JsonBody<ChatUploadRequest> body)
    {
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        string sessionId = rooms.RequireFileSender(caller.Participant.MeetingId, caller.Participant.Id);
        var request = body.Value;
        var upload = await files.ReserveAsync(caller.Participant, sessionId, request.Filename, hosts.ApiOrigin(context),
            request.Expiry is { } seconds ? TimeSpan.FromSeconds(seconds) : null).ConfigureAwait(false);
        return ApiResults.Ok(new ChatUploadDto(upload.PutUrl, upload.GetUrl));
    }

    private static async Task<Ok<ApiResponse<ParticipantLivestreamDto>>> ActiveLivestreamAsync(HttpContext context, MeetingLivestreamService livestreams, string meeting_id)
    {
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        caller.RequireMeeting(meeting_id);
        var active = livestreams.ActiveFor(meeting_id) ?? throw ApiException.NotFound($"No active livestream found for meeting {meeting_id}");
        return ApiResults.Ok(ParticipantLivestreamDto.From(livestreams.View(active), caller.Permissions.CanLivestream));
    }

    /// <summary>
    /// The live session's transcript so far, for a participant whose preset has <c>transcription_enabled</c> and who is not
    /// kept in the waiting room: a link to the lines its peers were shown (never those kept for the app alone), which
    /// serves only while the participant exists.
    /// </summary>
    private static async Task<Ok<ApiResponse<JsonObject>>> ActiveTranscriptAsync(HttpContext context, MeetingRooms rooms, SessionTranscripts transcripts, string meeting_id)
    {
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        caller.RequireMeeting(meeting_id);
        caller.Require(caller.Permissions.TranscriptionEnabled, "transcription_enabled");
        if (rooms.WaitlistOf(meeting_id).MustWait(caller.Participant, caller.Permissions))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "the participant waits to be admitted to the meeting");
        }

        if (rooms.Find(meeting_id)?.SessionId is not { } sessionId || !await transcripts.Store.HasAnyAsync(sessionId, context.RequestAborted).ConfigureAwait(false))
        {
            throw ApiException.NotFound($"No active transcript for meeting {meeting_id}");
        }

        var (url, expires) = transcripts.ParticipantLink(sessionId, caller.Participant.Id);
        return ApiResults.Ok(new JsonObject { ["transcript_download_url"] = url, ["transcript_download_url_expiry"] = ApiJson.Format(expires) });
    }

    private static async Task<Ok<ApiResponse<ParticipantLivestreamDto>>> StartLivestreamAsync(HttpContext context, MeetingService meetings,
        MeetingLivestreamService livestreams, MeetingRooms rooms, JsonBody<StartMeetingLivestreamRequest> body, string meeting_id)
    {
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        caller.RequireMeeting(meeting_id);
        caller.Require(caller.Permissions.CanLivestream, "can_livestream");
        var meeting = await meetings.FindAsync(caller.Participant.AppId, meeting_id, context.RequestAborted).ConfigureAwait(false);
        var view = await livestreams.StartAsync(meeting, rooms.Find(meeting_id)?.SessionId, body.Value.By(caller.Permissions), context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Ok(ParticipantLivestreamDto.From(view, withCredentials: true));
    }

    private static async Task<Ok<ApiResponse<MessageDto>>> StopLivestreamAsync(HttpContext context, MeetingLivestreamService livestreams, string meeting_id)
    {
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        caller.RequireMeeting(meeting_id);
        caller.Require(caller.Permissions.CanLivestream, "can_livestream");
        return await livestreams.StopAsync(meeting_id, "stopped by a participant").ConfigureAwait(false)
            ? ApiResults.Message("Stopped live stream successfully")
            : throw ApiException.NotFound($"No active livestream found for meeting {meeting_id}");
    }

    private static async Task<Ok<ApiResponse<RecordingDto>>> StartRecordingAsync(HttpContext context, MeetingService meetings, ProgramRecordings programs,
        RecordingViews views, JsonBody<ParticipantRecordingRequest> body)
    {
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        caller.RequireMeeting(body.Value.MeetingId!);
        caller.Require(caller.Permissions.CanRecord, "can_record");
        var meeting = await meetings.FindAsync(caller.Participant.AppId, body.Value.MeetingId!, context.RequestAborted).ConfigureAwait(false);
        var request = new StartRecordingRequest { MeetingId = meeting.Id, AllowMultipleRecordings = body.Value.AllowMultipleRecordings };
        return ApiResults.Ok(views.View(await programs.StartAsync(meeting, request, "PARTICIPANT").ConfigureAwait(false)));
    }

    private static async Task<Ok<ApiResponse<RecordingDto>>> ActOnRecordingAsync(HttpContext context, SqlRecordingStore store, RecordingService recordings,
        RecordingViews views, JsonBody<RecordingActionRequest> body, string recording_id)
    {
        var caller = await ParticipantCaller.OfAsync(context).ConfigureAwait(false);
        var recording = await store.FindAsync(caller.Participant.AppId, recording_id, context.RequestAborted).ConfigureAwait(false);
        if (recording?.MeetingId != caller.Participant.MeetingId)
        {
            throw ApiException.NotFound($"No recording found with id {recording_id}");
        }

        caller.Require(caller.Permissions.CanRecord, "can_record");
        var changed = await recordings.ActAsync(recording_id, body.Value.Action!, "PARTICIPANT").ConfigureAwait(false)
            ?? throw ApiException.Conflict($"recording {recording_id} is not active ({recording!.Status.Name()})");
        return ApiResults.Ok(views.View(changed));
    }
}
