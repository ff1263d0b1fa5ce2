using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Transcription;

/// <summary>A session's summary, as made (<c>session_summaries</c>).</summary>
public sealed record SessionSummary(string SessionId, string MeetingId, string Text, string TextFormat, string MadeBy, DateTimeOffset CreatedAt);

/// <summary>Sessions' summaries in <c>session_summaries</c>, one a session (a new one replaces it).</summary>
public sealed class SqlSummaryStore(SqlDatabase db)
{
    public Task SaveAsync(SessionSummary s, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async (c, t) =>
        {
            await c.ExecuteAsync("DELETE FROM session_summaries WHERE session_id = @SessionId", new { s.SessionId }, t).ConfigureAwait(false);
            await c.ExecuteAsync(
                "INSERT INTO session_summaries (session_id, meeting_id, text, text_format, made_by, created_at) VALUES (@SessionId, @MeetingId, @Text, @TextFormat, @MadeBy, @CreatedAt)",
                new { s.SessionId, s.MeetingId, s.Text, s.TextFormat, s.MadeBy, CreatedAt = Ms(s.CreatedAt) }, t).ConfigureAwait(false);
        }, cancellationToken);

    public Task<SessionSummary?> FindAsync(string sessionId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QueryAsync<Row>(
            "SELECT session_id, meeting_id, text, text_format, made_by, created_at FROM session_summaries WHERE session_id = @sessionId", new { sessionId })
            .ConfigureAwait(false)).FirstOrDefault()?.ToSummary(), cancellationToken);

    /// <summary>Deletes the summaries of sessions that ended before <paramref name="cutoff"/>; returns how many went.</summary>
    public Task<int> DeleteEndedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "DELETE FROM session_summaries WHERE session_id IN (SELECT id FROM meeting_sessions WHERE ended_at < @cutoff)", new { cutoff = Ms(cutoff) }), cancellationToken);

    internal sealed record Row(string session_id, string meeting_id, string text, string text_format, string made_by, long created_at)
    {
        public SessionSummary ToSummary() => new(session_id, meeting_id, text, text_format, made_by, Time(created_at));
    }
}
