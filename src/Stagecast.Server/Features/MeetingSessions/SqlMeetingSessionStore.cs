using System.Data;
using System.Data.Common;
using Dapper;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.MeetingSessions;

public sealed partial class SqlMeetingSessionStore(SqlDatabase db, WebhookSignal webhooks, NodeIdentity node) : IMeetingSessionStore
{
    /// <summary>
    /// Sessions with what their peers add up to: participant seconds (a peer still present counts up to @now) and
    /// peers present now.
    /// </summary>
    private const string SelectSessions =
        "SELECT s.id, s.meeting_id, s.app_id, s.account_id, s.meeting_display_name, s.max_concurrent_participants, s.started_at, s.ended_at, " +
        "s.end_reason, s.created_at, s.updated_at, " +
        "(SELECT CAST(COALESCE(SUM(COALESCE(p.left_at, @now) - p.joined_at), 0) AS DOUBLE PRECISION) FROM session_peers p WHERE p.session_id = s.id) / 1000.0 AS participant_seconds, " +
        "(SELECT COUNT(*) FROM session_peers p WHERE p.session_id = s.id AND p.left_at IS NULL) AS live_participants";

    private const string FromSessions = "meeting_sessions s";

    private const string PeerColumns = "id, session_id, participant_id, custom_participant_id, display_name, preset_name, joined_at, left_at, created_at, updated_at";

    public Task StartSessionAsync(MeetingSession session, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken) =>
        WithEventsAsync(events, session.StartedAt, (c, t) => c.ExecuteAsync(
            "INSERT INTO meeting_sessions (id, meeting_id, app_id, account_id, meeting_display_name, max_concurrent_participants, started_at, created_at, updated_at, node_id) " +
            "VALUES (@Id, @MeetingId, @AppId, @AccountId, @MeetingDisplayName, 0, @StartedAt, @StartedAt, @StartedAt, @NodeId)",
            new { session.Id, session.MeetingId, session.AppId, session.AccountId, session.MeetingDisplayName, StartedAt = Ms(session.StartedAt), NodeId = node.Id }, t),
            cancellationToken);

    public Task EndSessionAsync(
        string sessionId, DateTimeOffset endedAt, string reason, long maxConcurrentParticipants, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken) =>
        WithEventsAsync(events, endedAt, async (c, t) =>
        {
            var parameters = new { sessionId, at = Ms(endedAt), reason, maxConcurrentParticipants };
            await c.ExecuteAsync(
                "UPDATE session_peers SET left_at = @at, updated_at = @at WHERE session_id = @sessionId AND left_at IS NULL", parameters, t).ConfigureAwait(false);
            await c.ExecuteAsync(
                "UPDATE meeting_sessions SET ended_at = @at, end_reason = @reason, updated_at = @at, " +
                "max_concurrent_participants = CASE WHEN @maxConcurrentParticipants > max_concurrent_participants THEN @maxConcurrentParticipants ELSE max_concurrent_participants END WHERE id = @sessionId AND ended_at IS NULL",
                parameters, t).ConfigureAwait(false);
        }, cancellationToken);

    public Task AddPeerAsync(MeetingSessionPeer peer, long maxConcurrentParticipants, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken) =>
        WithEventsAsync(events, peer.JoinedAt, async (c, t) =>
        {
            await c.ExecuteAsync(
                $"INSERT INTO session_peers ({PeerColumns}) VALUES (@Id, @SessionId, @ParticipantId, @CustomParticipantId, @DisplayName, @PresetName, @JoinedAt, NULL, @JoinedAt, @JoinedAt)",
                new { peer.Id, peer.SessionId, peer.ParticipantId, peer.CustomParticipantId, peer.DisplayName, peer.PresetName, JoinedAt = Ms(peer.JoinedAt) },
                t).ConfigureAwait(false);
            await c.ExecuteAsync(
                "UPDATE meeting_sessions SET max_concurrent_participants = CASE WHEN @maxConcurrentParticipants > max_concurrent_participants THEN @maxConcurrentParticipants ELSE max_concurrent_participants END, updated_at = @at WHERE id = @SessionId",
                new { peer.SessionId, maxConcurrentParticipants, at = Ms(peer.JoinedAt) }, t).ConfigureAwait(false);
        }, cancellationToken);

    public Task EndPeerAsync(string peerId, DateTimeOffset leftAt, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken) =>
        WithEventsAsync(events, leftAt, (c, t) => c.ExecuteAsync(
            "UPDATE session_peers SET left_at = @at, updated_at = @at WHERE id = @peerId AND left_at IS NULL", new { peerId, at = Ms(leftAt) }, t), cancellationToken);

    public Task TouchAsync(IReadOnlyCollection<(string SessionId, long MaxConcurrentParticipants)> sessions, DateTimeOffset now, CancellationToken cancellationToken) =>
        sessions.Count == 0
            ? Task.CompletedTask
            : db.InTransactionAsync(async (c, t) =>
            {
                // A sequence, not a List: Dapper.AOT 1.1 casts a List of anonymous rows to List<object> (an invalid cast).
                var rows = sessions.Select(s => new { s.SessionId, s.MaxConcurrentParticipants, at = Ms(now) });
                await c.ExecuteAsync("UPDATE session_peers SET updated_at = @at WHERE session_id = @SessionId AND left_at IS NULL", rows, t).ConfigureAwait(false);
                await c.ExecuteAsync(
                    "UPDATE meeting_sessions SET updated_at = @at, max_concurrent_participants = CASE WHEN @MaxConcurrentParticipants > max_concurrent_participants THEN @MaxConcurrentParticipants ELSE max_concurrent_participants END " +
                    "WHERE id = @SessionId AND ended_at IS NULL", rows, t).ConfigureAwait(false);
            }, cancellationToken);

    public Task<MeetingSession?> FindSessionAsync(string appId, string sessionId, DateTimeOffset now, CancellationToken cancellationToken) =>
        QuerySessionAsync(c => c.QuerySingleOrDefaultAsync<MeetingSessionRow>(
            $"{SelectSessions} FROM {FromSessions} WHERE s.id = @sessionId AND s.app_id = @appId", new { appId, sessionId, now = Ms(now) }), cancellationToken);

    public Task<MeetingSession?> FindLiveSessionAsync(string meetingId, DateTimeOffset now, CancellationToken cancellationToken) =>
        QuerySessionAsync(c => c.QuerySingleOrDefaultAsync<MeetingSessionRow>(
            $"{SelectSessions} FROM {FromSessions} WHERE s.meeting_id = @meetingId AND s.ended_at IS NULL ORDER BY s.started_at DESC LIMIT 1",
            new { meetingId, now = Ms(now) }), cancellationToken);

    public Task<Page<MeetingSession>> ListSessionsAsync(string appId, MeetingSessionFilter filter, Paging paging, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var where = new SqlWhere("s.app_id = @appId")
            .And("s.meeting_id = @meetingId", filter.MeetingId is not null)
            .And("s.meeting_id IN (SELECT id FROM meetings WHERE parent_meeting_id = @parentMeetingId)", filter.ParentMeetingId is not null)
            .And(filter.Live == true ? "s.ended_at IS NULL" : "s.ended_at IS NOT NULL", filter.Live is not null)
            .Between("s.started_at", filter.StartedFrom, filter.StartedTo)
            .Search(filter.Search, "s.id", "s.meeting_id", "s.meeting_display_name");
        string order = filter.Ascending ? "ASC" : "DESC";
        string sort = filter.SortByMinutes ? $"participant_seconds {order}, s.started_at {order}" : $"s.started_at {order}, s.rowid {order}";
        var args = new
        {
            appId, now = Ms(now), meetingId = filter.MeetingId, parentMeetingId = filter.ParentMeetingId, from = Ms(filter.StartedFrom), to = Ms(filter.StartedTo), pattern = SqlLike.Contains(filter.Search),
            limit = paging.PerPage, offset = paging.Offset,
        };
        return db.QueryPageAsync(SelectSessions, FromSessions, where, sort,
            (c, sql) => c.QueryAsync<MeetingSessionRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(), cancellationToken);
    }

    public Task<IReadOnlyList<MeetingSession>> ListOpenSessionsAsync(IReadOnlyCollection<string> excludeNodes, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<MeetingSession>>(async c => (await c.QueryAsync<MeetingSessionRow>(
            $"{SelectSessions} FROM {FromSessions} WHERE s.ended_at IS NULL AND {db.Dialect.NotOnNodes("s.node_id")}",
            new { now = 0L, excludeNodes = excludeNodes.ToArray() }).ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task EndAtLastSeenAsync(string sessionId, string reason, IReadOnlyCollection<OutboxEvent> events, DateTimeOffset now, CancellationToken cancellationToken) =>
        WithEventsAsync(events, now, async (c, t) =>
        {
            await c.ExecuteAsync(
                "UPDATE session_peers SET left_at = updated_at WHERE session_id = @sessionId AND left_at IS NULL", new { sessionId }, t).ConfigureAwait(false);
            await c.ExecuteAsync(
                "UPDATE meeting_sessions SET ended_at = CASE WHEN updated_at > started_at THEN updated_at ELSE started_at END, end_reason = @reason WHERE id = @sessionId AND ended_at IS NULL",
                new { sessionId, reason }, t).ConfigureAwait(false);
        }, cancellationToken);

    public Task<bool> HasChatAsync(string sessionId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM chat_messages WHERE session_id = @sessionId)", new { sessionId }),
            cancellationToken);

    public Task<Page<MeetingSessionPeer>> ListPeersAsync(string sessionId, Paging paging, CancellationToken cancellationToken)
    {
        var args = new { sessionId, limit = paging.PerPage, offset = paging.Offset };
        return db.QueryPageAsync($"SELECT {PeerColumns}", "session_peers", new SqlWhere("session_id = @sessionId"), "joined_at, rowid",
            (c, sql) => c.QueryAsync<PeerRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(), cancellationToken);
    }

    public Task<MeetingSessionPeer?> FindPeerAsync(string appId, string peerId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<PeerRow>(
            $"SELECT {PeerColumns} FROM session_peers WHERE id = @peerId AND session_id IN (SELECT id FROM meeting_sessions WHERE app_id = @appId)",
            new { appId, peerId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    /// <summary>A write and the webhook events it causes, committed together; the dispatcher is woken after.</summary>
    private async Task WithEventsAsync(IReadOnlyCollection<OutboxEvent> events, DateTimeOffset at, Func<IDbConnection, IDbTransaction, Task> write, CancellationToken cancellationToken)
    {
        await db.InTransactionAsync(async (c, t) =>
        {
            await write(c, t).ConfigureAwait(false);
            await WebhookOutbox.AppendAsync(c, t, events, at).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        if (events.Count > 0)
        {
            webhooks.Notify();
        }
    }

    private Task<MeetingSession?> QuerySessionAsync(Func<DbConnection, Task<MeetingSessionRow?>> query, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await query(c).ConfigureAwait(false))?.ToModel(), cancellationToken);

    /// <summary>Settable: the computed columns have no declared type, which positional mapping of an empty result needs.</summary>
    internal sealed class MeetingSessionRow
    {
        public string Id { get; set; } = "";

        public string MeetingId { get; set; } = "";

        public string AppId { get; set; } = "";

        public string AccountId { get; set; } = "";

        public string? MeetingDisplayName { get; set; }

        public long MaxConcurrentParticipants { get; set; }

        public long StartedAt { get; set; }

        public long? EndedAt { get; set; }

        public string? EndReason { get; set; }

        public long CreatedAt { get; set; }

        public long UpdatedAt { get; set; }

        public double ParticipantSeconds { get; set; }

        public long LiveParticipants { get; set; }

        public MeetingSession ToModel() => new(
            Id, MeetingId, AppId, AccountId, MeetingDisplayName, MaxConcurrentParticipants, Time(StartedAt), Time(EndedAt), EndReason, Time(CreatedAt), Time(UpdatedAt),
            ParticipantSeconds, LiveParticipants);
    }

    internal sealed record PeerRow(
        string Id, string SessionId, string ParticipantId, string CustomParticipantId, string? DisplayName, string? PresetName, long JoinedAt, long? LeftAt,
        long CreatedAt, long UpdatedAt)
    {
        public MeetingSessionPeer ToModel() => new(Id, SessionId, ParticipantId, CustomParticipantId, DisplayName, PresetName, Time(JoinedAt), Time(LeftAt), Time(CreatedAt), Time(UpdatedAt));
    }
}
