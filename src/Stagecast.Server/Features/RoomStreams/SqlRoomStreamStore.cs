using Dapper;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.RoomStreams;

public sealed class SqlRoomStreamStore(SqlDatabase db, NodeIdentity node) : IRoomStreamStore
{
    private const string Columns = "id, app_id, meeting_id, session_id, url, url_masked, state, status, last_error, bytes_sent, started_at, ended_at";

    public Task CreateAsync(RoomStream stream, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            $"INSERT INTO room_streams ({Columns}, node_id) VALUES (@Id, @AppId, @MeetingId, @SessionId, @Url, @UrlMasked, 'streaming', @Status, NULL, 0, @StartedAt, NULL, @NodeId)",
            new
            {
                stream.Id, stream.AppId, stream.MeetingId, stream.SessionId, Url = new BinaryParameter(stream.SealedUrl), UrlMasked = stream.MaskedUrl, stream.Status, StartedAt = Ms(stream.StartedAt),
                NodeId = node.Id,
            }),
            cancellationToken);

    public Task CompleteAsync(string id, DateTimeOffset endedAt, string status, string? lastError, long bytesSent, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE room_streams SET state = 'completed', status = @status, last_error = @lastError, bytes_sent = @bytesSent, ended_at = @EndedAt " +
            "WHERE id = @id AND state = 'streaming'",
            new { id, status, lastError, bytesSent, EndedAt = Ms(endedAt) }), cancellationToken);

    public Task<RoomStream?> FindAsync(string appId, string id, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM room_streams WHERE id = @id AND app_id = @appId", new { appId, id }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<IReadOnlyList<RoomStream>> ListBySessionAsync(string appId, string sessionId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<RoomStream>>(async c => (await c.QueryAsync<Row>(
            $"SELECT {Columns} FROM room_streams WHERE session_id = @sessionId AND app_id = @appId ORDER BY started_at, rowid",
            new { appId, sessionId }).ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    /// <summary>Completes the room streams left streaming by a stopped node, except those of the nodes named.</summary>
    public Task<int> CompleteUnfinishedAsync(DateTimeOffset endedAt, IReadOnlyCollection<string> excludeNodes, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            $"UPDATE room_streams SET state = 'completed', status = 'idle', last_error = 'the server stopped', ended_at = @EndedAt WHERE state = 'streaming' AND {db.Dialect.NotOnNodes()}",
            new { EndedAt = Ms(endedAt), excludeNodes = excludeNodes.ToArray() }), cancellationToken);

    internal sealed record Row(string Id, string AppId, string MeetingId, string SessionId, byte[] Url, string UrlMasked, string State, string Status,
        string? LastError, long BytesSent, long StartedAt, long? EndedAt)
    {
        public RoomStream ToModel() => new(Id, AppId, MeetingId, SessionId, Url, UrlMasked, State == "completed", Status, LastError, BytesSent,
            Time(StartedAt), EndedAt is { } ended ? Time(ended) : null);
    }
}
