using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// <c>GET /sessions/{id}/transcript</c> as RealtimeKit answers it: a signed link to the session's transcript in the
/// <c>format</c> asked for (CSV by default, JSON, SRT, VTT), once the session has ended and its last words are kept;
/// the error envelope while it is live or being processed, or when nobody in it was transcribed. <c>GET</c> and
/// <c>POST /sessions/{id}/summary</c>: a signed link to the session's summary; POST writes it (again) now.
/// </summary>
public static class TranscriptApi
{
    public static RouteGroupBuilder MapTranscripts(this RouteGroupBuilder api)
    {
        var sessions = api.MapGroup("/sessions").WithTags("Sessions");
        sessions.MapGet("/{session_id}/transcript", GetAsync).WithSummary("A download URL for the session's transcript: format CSV (default), JSON, SRT or VTT");
        sessions.MapGet("/{session_id}/summary", GetSummaryAsync).WithSummary("A download URL for the session's summary");
        sessions.MapPost("/{session_id}/summary", MakeSummaryAsync).WithSummary("Writes the session's summary from its transcript now");
        return api;
    }

    /// <summary>The signed download (outside the API: the URL itself is the credential while it lasts).</summary>
    public static IEndpointRouteBuilder MapTranscriptDownload(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(SessionTranscripts.DownloadPath, async (HttpContext context, SessionTranscripts transcripts, DownloadSigner signer, string session_id, string format) =>
        {
            if (TranscriptFormats.Parse(format) is not { } kind || !signer.IsSigned(context.Request, SessionTranscripts.PathOf(session_id, kind)))
            {
                return SignedDownloads.Refused();
            }

            var lines = await transcripts.Store.ListAsync(session_id, context.RequestAborted).ConfigureAwait(false);
            var origin = await transcripts.Store.SessionStartAsync(session_id, context.RequestAborted).ConfigureAwait(false) ?? (lines.Count > 0 ? lines[0].StartedAt : default);
            // Any origin may read it (the link is the credential; RealtimeKit's SDK fetches its history from the app's page).
            context.Response.Headers.AccessControlAllowOrigin = "*";
            return SignedDownloads.Text(context, "transcript", session_id, TranscriptFormats.Extension(kind), TranscriptFormats.Write(kind, session_id, origin, lines),
                TranscriptFormats.ContentType(kind));
        }).ExcludeFromDescription();
        endpoints.MapGet(SessionTranscripts.ParticipantDownloadPath, async (HttpContext context, SessionTranscripts transcripts, DownloadSigner signer,
            IParticipantStore participants, IMeetingSessionStore sessions, TimeProvider time, string session_id, string participant_id) =>
        {
            // The link dies with its participant (deleted, or moved to another meeting's session).
            if (!signer.IsSigned(context.Request, SessionTranscripts.ParticipantPathOf(session_id, participant_id))
                || await participants.FindAsync(participant_id, context.RequestAborted).ConfigureAwait(false) is not { } participant
                || await sessions.FindSessionAsync(participant.AppId, session_id, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false) is not { } session
                || session.MeetingId != participant.MeetingId)
            {
                return SignedDownloads.Refused();
            }

            var lines = await transcripts.Store.ListAsync(session_id, context.RequestAborted, shownOnly: true).ConfigureAwait(false);
            context.Response.Headers.AccessControlAllowOrigin = "*";
            return SignedDownloads.Text(context, "transcript", session_id, "txt", TranscriptFormats.Write(TranscriptFormat.Lines, session_id, session.StartedAt, lines),
                TranscriptFormats.ContentType(TranscriptFormat.Lines));
        }).ExcludeFromDescription();
        endpoints.MapGet(SessionSummaries.DownloadPath, async (HttpContext context, SessionSummaries summaries, DownloadSigner signer, string session_id) =>
        {
            if (!signer.IsSigned(context.Request, SessionSummaries.PathOf(session_id))
                || await summaries.Store.FindAsync(session_id, context.RequestAborted).ConfigureAwait(false) is not { } summary)
            {
                return SignedDownloads.Refused();
            }

            bool markdown = summary.TextFormat == "markdown";
            return SignedDownloads.Text(context, "summary", session_id, markdown ? "md" : "txt", summary.Text, markdown ? "text/markdown; charset=utf-8" : "text/plain; charset=utf-8");
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<Ok<ApiResponse<TranscriptDownloadDto>>> GetAsync(
        HttpContext context, IMeetingSessionStore sessions, SessionTranscripts transcripts, TimeProvider time, string session_id)
    {
        var format = TranscriptFormats.Parse(context.Request.Query["format"])
            ?? throw ApiException.BadRequest("format must be CSV, JSON, SRT, VTT or LINES");
        var session = await FindAsync(context, sessions, time, session_id).ConfigureAwait(false);
        if (session.IsLive || transcripts.IsFinishing(session_id))
        {
            throw ApiException.NotFound($"The transcript of session {session_id} is being processed: it is ready once the session has ended and its last words are recognised");
        }

        if (!await transcripts.Store.HasAnyAsync(session_id, context.RequestAborted).ConfigureAwait(false))
        {
            throw ApiException.NotFound($"Session {session_id} has no transcript: nobody in it was transcribed, or it was deleted with the recordings' retention");
        }

        var (url, expires) = transcripts.Link(session_id, format);
        return ApiResults.Ok(new TranscriptDownloadDto(session_id, url, expires));
    }

    private static async Task<Ok<ApiResponse<SummaryDownloadDto>>> GetSummaryAsync(
        HttpContext context, IMeetingSessionStore sessions, SessionTranscripts transcripts, SessionSummaries summaries, TimeProvider time, string session_id)
    {
        var session = await FindAsync(context, sessions, time, session_id).ConfigureAwait(false);
        if (await summaries.Store.FindAsync(session_id, context.RequestAborted).ConfigureAwait(false) is null)
        {
            throw session.IsLive || transcripts.IsFinishing(session_id) || summaries.IsMaking(session_id)
                ? ApiException.NotFound($"The summary of session {session_id} is being processed")
                : ApiException.NotFound($"Session {session_id} has no summary: POST /sessions/{session_id}/summary writes one from its transcript");
        }

        var (url, expires) = summaries.Link(session_id);
        return ApiResults.Ok(new SummaryDownloadDto(session_id, url, expires));
    }

    private static async Task<Ok<ApiResponse<SummaryDownloadDto>>> MakeSummaryAsync(
        HttpContext context, IMeetingSessionStore sessions, IMeetingStore meetings, SessionTranscripts transcripts, SessionSummaries summaries, TimeProvider time,
        string session_id)
    {
        var session = await FindAsync(context, sessions, time, session_id).ConfigureAwait(false);
        if (session.IsLive || transcripts.IsFinishing(session_id))
        {
            throw ApiException.Conflict($"Session {session_id} is not over: its summary can be written once the session has ended and its transcript is complete");
        }

        var meeting = await meetings.FindAsync(context.App().Id, session.MeetingId, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No meeting found with id {session.MeetingId}");
        try
        {
            _ = await summaries.MakeAsync(meeting, session, notify: false).ConfigureAwait(false)
                ?? throw ApiException.NotFound($"Session {session_id} has no transcript to summarise: nobody in it was transcribed");
        }
        catch (Exception ex) when (ex is SummaryException or HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            throw new ApiException(StatusCodes.Status502BadGateway, $"The summary could not be written: {(ex is SummaryException ? ex.Message : "the summary endpoint did not answer usably")}");
        }

        var (url, expires) = summaries.Link(session_id);
        return ApiResults.Ok(new SummaryDownloadDto(session_id, url, expires));
    }

    private static async Task<MeetingSession> FindAsync(HttpContext context, IMeetingSessionStore sessions, TimeProvider time, string sessionId) =>
        await sessions.FindSessionAsync(context.App().Id, sessionId, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false)
        ?? throw ApiException.NotFound($"No session found with id {sessionId}");
}

/// <summary>Where a session's summary downloads, as RealtimeKit names it.</summary>
public sealed record SummaryDownloadDto(
    [property: JsonPropertyName("sessionId")] string SessionId,
    [property: JsonPropertyName("summaryDownloadUrl")] string SummaryDownloadUrl,
    [property: JsonPropertyName("summaryDownloadUrlExpiry")] DateTimeOffset SummaryDownloadUrlExpiry);

/// <summary>Where a session's transcript downloads, as RealtimeKit names it.</summary>
public sealed record TranscriptDownloadDto(
    [property: JsonPropertyName("sessionId")] string SessionId,
    string TranscriptDownloadUrl,
    DateTimeOffset TranscriptDownloadUrlExpiry);

[JsonSerializable(typeof(ApiResponse<TranscriptDownloadDto>))]
[JsonSerializable(typeof(ApiResponse<SummaryDownloadDto>))]
internal sealed partial class TranscriptApiJsonContext : JsonSerializerContext;
