using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Transcription;

/// <summary>Sessions' transcripts in <c>transcript_lines</c>, an utterance a row.</summary>
public sealed class SqlTranscriptStore(SqlDatabase db)
{
    private const string Columns = "id, session_id, meeting_id, peer_id, participant_id, custom_participant_id, name, started_at, ended_at, text";

    /// <summary>Keeps a line; <paramref name="shown"/>: it went to the meeting's peers (participants may read it again).</summary>
    public Task AddAsync(string sessionId, string meetingId, TranscriptLine line, bool shown, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            $"INSERT INTO transcript_lines ({Columns}, shown) VALUES (@Id, @sessionId, @meetingId, @PeerId, @ParticipantId, @CustomParticipantId, @Name, @StartedAt, @EndedAt, @Text, @shown)",
            new
            {
                line.Id, sessionId, meetingId, line.PeerId, line.ParticipantId, line.CustomParticipantId, line.Name, StartedAt = Ms(line.StartedAt),
                EndedAt = Ms(line.EndedAt), line.Text, shown = shown ? 1L : 0L,
            }), cancellationToken);

    /// <summary>Whether anything of the session was kept.</summary>
    public Task<bool> HasAnyAsync(string sessionId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => await c.ExecuteScalarAsync<long?>("SELECT 1 FROM transcript_lines WHERE session_id = @sessionId LIMIT 1", new { sessionId })
            .ConfigureAwait(false) is not null, cancellationToken);

    /// <summary>A session's transcript, in the order it was said (<paramref name="shownOnly"/>: only the lines its peers were shown).</summary>
    public Task<IReadOnlyList<TranscriptLine>> ListAsync(string sessionId, CancellationToken cancellationToken, bool shownOnly = false) =>
        db.WithConnectionAsync<IReadOnlyList<TranscriptLine>>(async c => (await c.QueryAsync<Row>(
            $"SELECT {Columns} FROM transcript_lines WHERE session_id = @sessionId AND shown >= @least ORDER BY started_at, id",
            new { sessionId, least = shownOnly ? 1L : 0L }).ConfigureAwait(false))
            .Select(r => r.ToLine()).ToList(), cancellationToken);

    /// <summary>Deletes the transcripts of sessions that ended before <paramref name="cutoff"/>; returns how many lines went.</summary>
    public Task<int> DeleteEndedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "DELETE FROM transcript_lines WHERE session_id IN (SELECT id FROM meeting_sessions WHERE ended_at < @cutoff)", new { cutoff = Ms(cutoff) }), cancellationToken);

    /// <summary>When the session began (cue times of its subtitles count from it), or null for a session not found.</summary>
    public Task<DateTimeOffset?> SessionStartAsync(string sessionId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => Time(await c.ExecuteScalarAsync<long?>("SELECT started_at FROM meeting_sessions WHERE id = @sessionId", new { sessionId })
            .ConfigureAwait(false)), cancellationToken);

    internal sealed record Row(
        string id, string session_id, string meeting_id, string peer_id, string participant_id, string custom_participant_id, string name, long started_at,
        long ended_at, string text)
    {
        public TranscriptLine ToLine() => new(id, peer_id, participant_id, custom_participant_id, name, Time(started_at), Time(ended_at), text);
    }
}
