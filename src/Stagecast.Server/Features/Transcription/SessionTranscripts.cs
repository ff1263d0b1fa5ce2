using System.Collections.Concurrent;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// Sessions' transcripts after the fact: the lines kept as they are heard, the session's end (once its last words are
/// kept, the app's <c>meeting.transcript</c> webhook with a download link, and with <c>summarize_on_end</c> the
/// session's summary), and the signed download links of
/// <c>GET /sessions/{id}/transcript</c>.
/// </summary>
public sealed partial class SessionTranscripts(
    SqlTranscriptStore store,
    IMeetingSessionStore sessions,
    MeetingWebhookEvents events,
    WebhookEventWriter webhooks,
    SessionSummaries summaries,
    DownloadSigner signer,
    PublicUrls urls,
    TimeProvider time,
    ILogger<SessionTranscripts> logger)
{
    public const string DownloadPath = "/downloads/sessions/{session_id}/transcript.{format}";

    /// <summary>A participant's link to the lines of a live session it was shown (RealtimeKit's active transcript).</summary>
    public const string ParticipantDownloadPath = "/downloads/sessions/{session_id}/shown-transcript/{participant_id}.txt";

    private readonly ConcurrentDictionary<string, bool> _finishing = new(StringComparer.Ordinal);

    public SqlTranscriptStore Store => store;

    /// <summary>Whether a session that ended is still having its last words recognised (its transcript is not complete).</summary>
    public bool IsFinishing(string sessionId) => _finishing.ContainsKey(sessionId);

    /// <summary>
    /// Keeps a line of a session's transcript, <paramref name="shown"/> when the meeting's peers were shown it (a failure is
    /// logged: the line is lost, the meeting goes on).
    /// </summary>
    public async Task AddAsync(string sessionId, string meetingId, TranscriptLine line, bool shown)
    {
        try
        {
            await store.AddAsync(sessionId, meetingId, line, shown, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogKeepFailed(ex, sessionId);
        }
    }

    /// <summary>The session ended: once <paramref name="drained"/> (its last utterances kept), its transcript is complete.</summary>
    public void Finish(Meeting meeting, string sessionId, Task drained)
    {
        _finishing[sessionId] = true;
        _ = FinishAsync(meeting, sessionId, drained);
    }

    /// <summary>A signed link to the transcript of <paramref name="sessionId"/> in <paramref name="format"/>, and when it expires.</summary>
    public (string Url, DateTimeOffset Expires) Link(string sessionId, TranscriptFormat format, TimeSpan? lifetime = null) =>
        signer.Link(urls.HttpBase, PathOf(sessionId, format), lifetime);

    /// <summary>
    /// A signed link for participant <paramref name="participantId"/> to the lines of <paramref name="sessionId"/> shown
    /// to its peers, in the SDK's line format; it serves only while the participant exists.
    /// </summary>
    public (string Url, DateTimeOffset Expires) ParticipantLink(string sessionId, string participantId) =>
        signer.Link(urls.HttpBase, ParticipantPathOf(sessionId, participantId));

    public static string ParticipantPathOf(string sessionId, string participantId) =>
        ParticipantDownloadPath.Replace("{session_id}", sessionId, StringComparison.Ordinal).Replace("{participant_id}", participantId, StringComparison.Ordinal);

    public static string PathOf(string sessionId, TranscriptFormat format) =>
        DownloadPath.Replace("{session_id}", sessionId, StringComparison.Ordinal).Replace("{format}", TranscriptFormats.Extension(format), StringComparison.Ordinal);

    private async Task FinishAsync(Meeting meeting, string sessionId, Task drained)
    {
        Task? summary = null;
        try
        {
            try
            {
                await drained.ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                LogGaveUpWaiting(sessionId); // what is kept so far is the transcript
            }

            var now = time.GetUtcNow();
            if (await store.HasAnyAsync(sessionId, CancellationToken.None).ConfigureAwait(false)
                && await sessions.FindSessionAsync(meeting.AppId, sessionId, now, CancellationToken.None).ConfigureAwait(false) is { } session)
            {
                var (url, expires) = Link(sessionId, TranscriptFormat.Csv, MeetingWebhookEvents.LinkLifetime);
                await webhooks.WriteAsync([events.Transcript(meeting, session, url, expires)], now, CancellationToken.None).ConfigureAwait(false);
                // Begun before the transcript counts as complete, so the summary reads "being processed" from then on.
                summary = meeting.SummarizeOnEnd ? summaries.MakeAsync(meeting, session, notify: true) : null;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFinishFailed(ex, sessionId);
        }
        finally
        {
            _finishing.TryRemove(sessionId, out _);
        }

        if (summary is not null)
        {
            await summary.ConfigureAwait(false); // its failure is logged where it is written
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A line of the transcript of session {SessionId} could not be kept")]
    private partial void LogKeepFailed(Exception exception, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The last words of session {SessionId} were not recognised in time; its transcript ends with what was")]
    private partial void LogGaveUpWaiting(string sessionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Completing the transcript of session {SessionId} failed")]
    private partial void LogFinishFailed(Exception exception, string sessionId);
}
