using System.Collections.Concurrent;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Transcription;

/// <summary>
/// Sessions' summaries (docs/ai.md): made from the session's transcript by the <see cref="SessionSummarizer"/> in the
/// meeting's <c>ai_config.summarization</c>, when a <c>summarize_on_end</c> session's transcript is complete (then the
/// app's <c>meeting.summary</c> webhook) or when the app asks (<c>POST /sessions/{id}/summary</c>); kept, one a
/// session, and downloaded through signed links.
/// </summary>
public sealed partial class SessionSummaries(
    SqlSummaryStore store,
    SqlTranscriptStore transcripts,
    SessionSummarizer summarizer,
    MeetingWebhookEvents events,
    WebhookEventWriter webhooks,
    DownloadSigner signer,
    PublicUrls urls,
    TimeProvider time,
    ILogger<SessionSummaries> logger)
{
    public const string DownloadPath = "/downloads/sessions/{session_id}/summary";

    private readonly ConcurrentDictionary<string, Task<SessionSummary?>> _making = new(StringComparer.Ordinal);

    public SqlSummaryStore Store => store;

    /// <summary>Whether a summary of the session is being written now.</summary>
    public bool IsMaking(string sessionId) => _making.ContainsKey(sessionId);

    /// <summary>
    /// Writes the session's summary (one at a time a session: a second ask joins the first) and keeps it; null when the
    /// session has no transcript. With <paramref name="notify"/>, the app hears of it (<c>meeting.summary</c>).
    /// </summary>
    public Task<SessionSummary?> MakeAsync(Meeting meeting, MeetingSession session, bool notify)
    {
        var made = new TaskCompletionSource<SessionSummary?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = _making.GetOrAdd(session.Id, made.Task);
        if (running == made.Task)
        {
            _ = RunAsync(meeting, session, notify, made);
        }

        return running;
    }

    /// <summary>A signed link to the session's summary, and when it expires.</summary>
    public (string Url, DateTimeOffset Expires) Link(string sessionId, TimeSpan? lifetime = null) => signer.Link(urls.HttpBase, PathOf(sessionId), lifetime);

    public static string PathOf(string sessionId) => DownloadPath.Replace("{session_id}", sessionId, StringComparison.Ordinal);

    private async Task RunAsync(Meeting meeting, MeetingSession session, bool notify, TaskCompletionSource<SessionSummary?> made)
    {
        try
        {
            var lines = await transcripts.ListAsync(session.Id, CancellationToken.None).ConfigureAwait(false);
            SessionSummary? summary = null;
            if (lines.Count > 0)
            {
                var settings = AiSummarization.Of(meeting.AiConfig);
                string text = await summarizer.SummarizeAsync(lines, settings, CancellationToken.None).ConfigureAwait(false);
                summary = new SessionSummary(session.Id, meeting.Id, text, settings.TextFormat, summarizer.MadeBy, time.GetUtcNow());
                await store.SaveAsync(summary, CancellationToken.None).ConfigureAwait(false);
                if (notify)
                {
                    var (url, expires) = Link(session.Id, MeetingWebhookEvents.LinkLifetime);
                    await webhooks.WriteAsync([events.Summary(meeting, session, url, expires)], time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                }
            }

            made.TrySetResult(summary);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogFailed(ex, session.Id);
            made.TrySetException(ex);
        }
        finally
        {
            _making.TryRemove(session.Id, out _);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Summarising session {SessionId} failed")]
    private partial void LogFailed(Exception exception, string sessionId);
}
