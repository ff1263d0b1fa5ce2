using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// <c>GET /sessions/{id}/transcript</c> as RealtimeKit answers it: a signed link to the session's transcript in the
/// <c>format</c> asked for (CSV by default, JSON, SRT, VTT), once the session has ended and its last words are kept;
/// the error envelope while it is live or being processed, or when nobody in it was transcribed.
/// </summary>
public static class TranscriptApi
{
    public static RouteGroupBuilder MapTranscripts(this RouteGroupBuilder api)
    {
        api.MapGroup("/sessions").WithTags("Sessions").MapGet("/{session_id}/transcript", GetAsync)
            .WithSummary("A download URL for the session's transcript: format CSV (default), JSON, SRT or VTT");
        return api;
    }

    /// <summary>The signed download (outside the API: the URL itself is the credential while it lasts).</summary>
    public static IEndpointRouteBuilder MapTranscriptDownload(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(SessionTranscripts.DownloadPath, async (HttpContext context, SessionTranscripts transcripts, DownloadSigner signer, string session_id, string format) =>
        {
            var query = context.Request.Query;
            if (TranscriptFormats.Parse(format) is not { } kind || !signer.IsValid(SessionTranscripts.PathOf(session_id, kind), query["expires"], query["signature"]))
            {
                return ApiResults.Error(StatusCodes.Status403Forbidden, "this download link is invalid or has expired");
            }

            var lines = await transcripts.Store.ListAsync(session_id, context.RequestAborted).ConfigureAwait(false);
            var origin = await transcripts.Store.SessionStartAsync(session_id, context.RequestAborted).ConfigureAwait(false) ?? (lines.Count > 0 ? lines[0].StartedAt : default);
            // A download, never a page: browsers save it rather than render or sniff it.
            context.Response.Headers.ContentDisposition = $"attachment; filename=\"transcript-{ChatCsv.FileNameOf(session_id)}.{TranscriptFormats.Extension(kind)}\"";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            return Results.Text(TranscriptFormats.Write(kind, session_id, origin, lines), TranscriptFormats.ContentType(kind));
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<Ok<ApiResponse<TranscriptDownloadDto>>> GetAsync(
        HttpContext context, IMeetingSessionStore sessions, SessionTranscripts transcripts, TimeProvider time, string session_id)
    {
        var format = TranscriptFormats.Parse(context.Request.Query["format"])
            ?? throw ApiException.BadRequest("format must be CSV, JSON, SRT or VTT");
        var session = await sessions.FindSessionAsync(context.App().Id, session_id, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No session found with id {session_id}");
        if (session.IsLive || transcripts.IsFinishing(session_id))
        {
            throw ApiException.NotFound($"The transcript of session {session_id} is being processed: it is ready once the session has ended and its last words are recognised");
        }

        if ((await transcripts.Store.ListAsync(session_id, context.RequestAborted).ConfigureAwait(false)).Count == 0)
        {
            throw ApiException.NotFound($"Session {session_id} has no transcript: nobody in it was transcribed");
        }

        var (url, expires) = transcripts.Link(session_id, format);
        return ApiResults.Ok(new TranscriptDownloadDto(session_id, url, expires));
    }
}

/// <summary>Where a session's transcript downloads, as RealtimeKit names it.</summary>
public sealed record TranscriptDownloadDto(
    [property: JsonPropertyName("sessionId")] string SessionId,
    string TranscriptDownloadUrl,
    DateTimeOffset TranscriptDownloadUrlExpiry);

[JsonSerializable(typeof(ApiResponse<TranscriptDownloadDto>))]
internal sealed partial class TranscriptApiJsonContext : JsonSerializerContext;
