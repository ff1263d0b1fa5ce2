using System.Data.Common;
using System.Text.Json;
using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.MeetingSessions;

public sealed partial class SqlMeetingSessionStore
{
    private const string ChatColumns = "id, session_id, meeting_id, participant_id, peer_id, display_name, payload_type, payload, pinned, is_edited, created_at, target_user_ids";

    public Task AddChatAsync(ChatMessage message, CancellationToken cancellationToken)
    {
        // Serialized before the call: Dapper.AOT leaves a call alone (to Dapper's IL emission) when its arguments hold one.
        string? targets = message.TargetUserIds is { } ids ? JsonSerializer.Serialize(ids, StoredJsonContext.Default.IReadOnlyListString) : null;
        return db.WithConnectionAsync(c => c.ExecuteAsync(
            $"INSERT INTO chat_messages ({ChatColumns}) VALUES (@Id, @SessionId, @MeetingId, @ParticipantId, @PeerId, @DisplayName, @PayloadType, @Payload, @Pinned, @IsEdited, @CreatedAt, @TargetUserIds)",
            new
            {
                message.Id,
                message.SessionId,
                message.MeetingId,
                message.ParticipantId,
                message.PeerId,
                message.DisplayName,
                message.PayloadType,
                message.Payload,
                Pinned = Bit(message.Pinned),
                IsEdited = Bit(message.IsEdited),
                CreatedAt = Ms(message.CreatedAt),
                TargetUserIds = targets,
            }), cancellationToken);
    }

    public Task<ChatMessage?> FindChatAsync(string id, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<ChatRow>($"SELECT {ChatColumns} FROM chat_messages WHERE id = @id", new { id }).ConfigureAwait(false))?.ToModel(),
            cancellationToken);

    public Task UpdateChatAsync(ChatMessage message, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE chat_messages SET payload_type = @PayloadType, payload = @Payload, pinned = @Pinned, is_edited = @IsEdited WHERE id = @Id",
            new { message.Id, message.PayloadType, message.Payload, Pinned = Bit(message.Pinned), IsEdited = Bit(message.IsEdited) }), cancellationToken);

    public Task DeleteChatAsync(string id, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync("DELETE FROM chat_messages WHERE id = @id", new { id }), cancellationToken);

    public Task<int> DeleteChatBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync("DELETE FROM chat_messages WHERE created_at < @cutoff", new { cutoff = Ms(cutoff) }), cancellationToken);

    public Task<IReadOnlyList<ChatMessage>> ListChatAsync(string sessionId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<ChatMessage>>(async c => (await c.QueryAsync<ChatRow>(
            $"SELECT {ChatColumns} FROM chat_messages WHERE session_id = @sessionId ORDER BY created_at, rowid", new { sessionId }).ConfigureAwait(false))
            .Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task<IReadOnlyList<ChatMessage>> ListRecentMeetingChatAsync(string meetingId, int limit, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<ChatMessage>>(async c => (await c.QueryAsync<ChatRow>(
            $"SELECT {ChatColumns} FROM chat_messages WHERE meeting_id = @meetingId ORDER BY created_at DESC, rowid DESC LIMIT @limit",
            new { meetingId, limit }).ConfigureAwait(false)).Select(r => r.ToModel()).Reverse().ToList(), cancellationToken);

    public Task CreatePollAsync(Poll poll, CancellationToken cancellationToken)
    {
        // Serialized before the call: Dapper.AOT leaves a call alone (to Dapper's IL emission) when its arguments hold one.
        string options = JsonSerializer.Serialize(poll.Options, StoredJsonContext.Default.IReadOnlyListString);
        return db.WithConnectionAsync(c => c.ExecuteAsync(
            "INSERT INTO polls (id, session_id, meeting_id, created_by, question, options, anonymous, hide_votes, created_at) " +
            "VALUES (@Id, @SessionId, @MeetingId, @CreatedBy, @Question, @Options, @Anonymous, @HideVotes, @CreatedAt)",
            new
            {
                poll.Id,
                poll.SessionId,
                poll.MeetingId,
                poll.CreatedBy,
                poll.Question,
                Options = options,
                Anonymous = Bit(poll.Anonymous),
                HideVotes = Bit(poll.HideVotes),
                CreatedAt = Ms(poll.CreatedAt),
            }), cancellationToken);
    }

    public async Task<bool> VoteAsync(string pollId, PollVote vote, CancellationToken cancellationToken)
    {
        try
        {
            await db.WithConnectionAsync(c => c.ExecuteAsync(
                "INSERT INTO poll_votes (poll_id, participant_id, display_name, option_index, created_at) VALUES (@pollId, @ParticipantId, @DisplayName, @Option, @CreatedAt)",
                new { pollId, vote.ParticipantId, vote.DisplayName, vote.Option, CreatedAt = Ms(vote.CreatedAt) }), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (db.Dialect.IsUniqueViolation(ex))
        {
            return false; // (poll_id, participant_id) is the key: one vote per participant
        }
    }

    public async Task<Poll?> FindPollAsync(string pollId, CancellationToken cancellationToken) =>
        (await QueryPollsAsync("id", pollId, cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    public Task<IReadOnlyList<Poll>> ListPollsAsync(string sessionId, CancellationToken cancellationToken) =>
        QueryPollsAsync("session_id", sessionId, cancellationToken);

    /// <summary>The polls whose <paramref name="column"/> is <paramref name="value"/>, with their votes.</summary>
    private Task<IReadOnlyList<Poll>> QueryPollsAsync(string column, string value, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<Poll>>(async c =>
        {
            var polls = (await c.QueryAsync<PollRow>(
                $"SELECT id, session_id, meeting_id, created_by, question, options, anonymous, hide_votes, created_at FROM polls WHERE {column} = @value ORDER BY created_at, rowid",
                new { value }).ConfigureAwait(false)).ToList();
            var votes = (await c.QueryAsync<VoteRow>(
                $"SELECT poll_id, participant_id, display_name, option_index, created_at FROM poll_votes WHERE poll_id IN (SELECT id FROM polls WHERE {column} = @value) " +
                "ORDER BY created_at, rowid",
                new { value }).ConfigureAwait(false)).ToLookup(v => v.PollId);
            return polls.Select(p => p.ToModel(votes[p.Id].Select(v => v.ToModel()).ToList())).ToList();
        }, cancellationToken);

    internal sealed record ChatRow(
        string Id, string SessionId, string MeetingId, string ParticipantId, string? PeerId, string? DisplayName, string PayloadType, string Payload,
        long Pinned, long IsEdited, long CreatedAt, string? TargetUserIds)
    {
        public ChatMessage ToModel() => new(Id, SessionId, MeetingId, ParticipantId, PeerId, DisplayName, PayloadType, Payload, Pinned != 0, IsEdited != 0, Time(CreatedAt),
            TargetUserIds is null ? null : JsonSerializer.Deserialize(TargetUserIds, StoredJsonContext.Default.IReadOnlyListString));
    }

    internal sealed record PollRow(string Id, string SessionId, string MeetingId, string? CreatedBy, string Question, string Options, long Anonymous, long HideVotes, long CreatedAt)
    {
        public Poll ToModel(IReadOnlyList<PollVote> votes) => new(
            Id, SessionId, MeetingId, CreatedBy, Question, JsonSerializer.Deserialize(Options, StoredJsonContext.Default.IReadOnlyListString) ?? [], Anonymous != 0, HideVotes != 0, Time(CreatedAt), votes);
    }

    internal sealed record VoteRow(string PollId, string ParticipantId, string? DisplayName, long OptionIndex, long CreatedAt)
    {
        public PollVote ToModel() => new(ParticipantId, DisplayName, (int)OptionIndex, Time(CreatedAt));
    }
}
