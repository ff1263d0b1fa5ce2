using System.Data;
using System.Data.Common;
using Dapper;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// Chat files' records in <c>chat_files</c>, a row a file from its reservation on (its bytes: <see cref="ChatFiles"/>).
/// A row's <c>size</c> is what the file counts toward the quotas: its bytes once uploaded; while reserved, what its upload
/// has charged so far. Whatever adds to a quota sums the rows in the transaction that adds, taking turns per app
/// (<see cref="SqlDialect.TurnLock"/>), so uploads on any node sharing the database never pass a quota together.
/// </summary>
public sealed class SqlChatFileStore(SqlDatabase db, NodeIdentity node)
{
    private const string Columns = "id, app_id, meeting_id, session_id, participant_id, name, content_type, size, state, origin, storage_key, created_at, upload_expires_at";

    private const string Values = "@Id, @AppId, @MeetingId, @SessionId, @ParticipantId, @Name, @ContentType, @size, @state, @Origin, @StorageKey, @CreatedAt, @UploadExpiresAt";

    private const string Reserved = "reserved";

    private const string Uploaded = "uploaded";

    /// <summary>What a row counts (<see cref="ChatFileQuota.CostOf"/>), with <c>@minimum</c> its least.</summary>
    private const string Cost = "CAST(COALESCE(SUM(CASE WHEN size > @minimum THEN size ELSE @minimum END), 0) AS BIGINT)";

    private const string Usage =
        $"SELECT (SELECT {Cost} FROM chat_files WHERE participant_id = @ParticipantId) AS participant, " +
        $"(SELECT {Cost} FROM chat_files WHERE meeting_id = @MeetingId) AS meeting, (SELECT {Cost} FROM chat_files WHERE app_id = @AppId) AS app";

    /// <summary>Keeps a reservation (nothing charged yet: it counts <see cref="ChatFileQuota.MinimumCost"/>), refused past a quota.</summary>
    public Task AddAsync(ChatFile file, ChatFileQuota quota, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async (c, t) =>
        {
            await TakeTurnAsync(c, t, file).ConfigureAwait(false);
            quota.Check(file, ChatFileQuota.MinimumCost, await UsageAsync(c, t, file).ConfigureAwait(false));
            await c.ExecuteAsync($"INSERT INTO chat_files ({Columns}, node_id) VALUES ({Values}, @NodeId)", Parameters(file, 0, Reserved), t).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>
    /// Sets what a reserved file's upload has charged to <paramref name="size"/> bytes, refused past a quota (less gives
    /// back what it had charged beyond). False when the file is no longer reserved (uploaded, or deleted).
    /// </summary>
    public Task<bool> ChargeAsync(ChatFile file, long size, ChatFileQuota quota, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async (c, t) =>
        {
            await TakeTurnAsync(c, t, file).ConfigureAwait(false);
            if (await c.ExecuteScalarAsync<long?>("SELECT size FROM chat_files WHERE id = @Id AND state = @state", new { file.Id, state = Reserved }, t)
                .ConfigureAwait(false) is not { } charged)
            {
                return false;
            }

            long more = ChatFileQuota.CostOf(size) - ChatFileQuota.CostOf(charged);
            if (more > 0)
            {
                quota.Check(file, more, await UsageAsync(c, t, file).ConfigureAwait(false));
            }

            await c.ExecuteAsync("UPDATE chat_files SET size = @size WHERE id = @Id", new { file.Id, size }, t).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Marks a reserved file uploaded, with its bytes' size; false when it was not reserved any more (another upload finished first).</summary>
    public Task<bool> CompleteAsync(string id, long size, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => await c.ExecuteAsync(
            "UPDATE chat_files SET state = @uploaded, size = @size WHERE id = @id AND state = @reserved", new { id, size, uploaded = Uploaded, reserved = Reserved })
            .ConfigureAwait(false) == 1, cancellationToken);

    public Task<ChatFile?> FindAsync(string id, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<Row>($"SELECT {Columns} FROM chat_files WHERE id = @id", new { id })
            .ConfigureAwait(false))?.ToFile(), cancellationToken);

    /// <summary>
    /// Up to <paramref name="limit"/> files reserved before <paramref name="before"/>, oldest first, after the one given
    /// (its time and id): those whose bytes this node can delete, that is all of them but, in a cluster, those in another
    /// node's data directory.
    /// </summary>
    public Task<IReadOnlyList<ChatFile>> ListBeforeAsync(DateTimeOffset before, (DateTimeOffset CreatedAt, string Id) after, int limit, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<ChatFile>>(async c => (await c.QueryAsync<Row>(
            $"SELECT {Columns} FROM chat_files WHERE created_at < @before AND (created_at > @afterAt OR (created_at = @afterAt AND id > @afterId))" +
            (node.IsClustered ? " AND (storage_key IS NOT NULL OR node_id = @nodeId)" : "") + " ORDER BY created_at, id LIMIT @limit",
            new { before = Ms(before), afterAt = Ms(after.CreatedAt), afterId = after.Id, nodeId = node.Id, limit }).ConfigureAwait(false))
            .Select(r => r.ToFile()).ToList(), cancellationToken);

    public Task DeleteAsync(string id, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync("DELETE FROM chat_files WHERE id = @id", new { id }), cancellationToken);

    /// <summary>
    /// Keeps a file found in a sidecar of this node's data directory, unless it is kept already (an import that stopped
    /// before removing the sidecar). A sidecar written before quotas names no app: the file's is its meeting's.
    /// </summary>
    public Task ImportAsync(ChatFile file, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            $"INSERT INTO chat_files ({Columns}, node_id) VALUES (@Id, COALESCE(@AppId, (SELECT app_id FROM meetings WHERE id = @MeetingId)), " +
            "@MeetingId, @SessionId, @ParticipantId, @Name, @ContentType, @size, @state, @Origin, @StorageKey, @CreatedAt, @UploadExpiresAt, @NodeId) ON CONFLICT (id) DO NOTHING",
            Parameters(file, Math.Max(file.Size, 0), file.Uploaded ? Uploaded : Reserved)), cancellationToken);

    /// <summary>Waits for the turn of the file's app (its meeting's, for a file imported without one) to add to its quotas.</summary>
    private async Task TakeTurnAsync(DbConnection c, IDbTransaction t, ChatFile file)
    {
        if (db.Dialect.TurnLock("stagecast.chat_files", "@scope") is { } turn)
        {
            await c.ExecuteAsync(turn, new { scope = file.AppId ?? file.MeetingId }, t).ConfigureAwait(false);
        }
    }

    /// <summary>What the files of <paramref name="file"/>'s participant, meeting and app count now.</summary>
    private static async Task<ChatFileUsage> UsageAsync(DbConnection c, IDbTransaction t, ChatFile file)
    {
        var row = await c.QuerySingleAsync<UsageRow>(Usage, new { file.ParticipantId, file.MeetingId, file.AppId, minimum = ChatFileQuota.MinimumCost }, t)
            .ConfigureAwait(false);
        return new ChatFileUsage(row.participant, row.meeting, row.app);
    }

    private FileParameters Parameters(ChatFile file, long size, string state) => new(
        file.Id, file.AppId, file.MeetingId, file.SessionId, file.ParticipantId, file.Name, file.ContentType, size, state, file.Origin, file.StorageKey,
        Ms(file.CreatedAt), Ms(file.UploadExpiresAt), node.Id);

    /// <summary>A file's columns (a named type: Dapper.AOT binds it at compile time).</summary>
    internal sealed record FileParameters(
        string Id, string? AppId, string MeetingId, string? SessionId, string ParticipantId, string Name, string ContentType, long size, string state,
        string Origin, string? StorageKey, long CreatedAt, long? UploadExpiresAt, string NodeId);

    internal sealed record UsageRow(long participant, long meeting, long app);

    internal sealed record Row(
        string id, string? app_id, string meeting_id, string? session_id, string participant_id, string name, string content_type, long size, string state,
        string origin, string? storage_key, long created_at, long? upload_expires_at)
    {
        public ChatFile ToFile() => new(id, meeting_id, participant_id, name, content_type, state == Uploaded ? size : -1, origin, Time(created_at), storage_key, app_id,
            session_id, Time(upload_expires_at));
    }
}
