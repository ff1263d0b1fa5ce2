using Dapper;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Recordings;

/// <summary>Recordings; every status change is written with its <c>recording.statusUpdate</c> webhook.</summary>
public sealed class SqlRecordingStore(SqlDatabase db, WebhookSignal webhooks, NodeIdentity node)
{
    private const string Columns = "id, app_id, meeting_id, livestream_id, session_id, status, invoked_time, started_time, stopped_time, " +
        "output_file_name, file_size, duration, start_reason, stop_reason, max_seconds, error, storage, storage_key, tracks, captions_file_size";

    public async Task SaveAsync(Recording r, OutboxEvent statusEvent, bool create)
    {
        await db.InTransactionAsync(async (c, t) =>
        {
            string sql = create
                ? $"INSERT INTO recordings ({Columns}, node_id) VALUES (@Id, @AppId, @MeetingId, @LivestreamId, @SessionId, @Status, @InvokedTime, @StartedTime, " +
                  "@StoppedTime, @OutputFileName, @FileSize, @Duration, @StartReason, @StopReason, @MaxSeconds, @Error, @Storage, @StorageKey, @Tracks, @CaptionsFileSize, @NodeId)"
                : "UPDATE recordings SET session_id = @SessionId, status = @Status, started_time = @StartedTime, stopped_time = @StoppedTime, " +
                  "file_size = @FileSize, duration = @Duration, stop_reason = @StopReason, error = @Error, storage_key = @StorageKey, tracks = @Tracks, " +
                  "captions_file_size = @CaptionsFileSize WHERE id = @Id";
            await c.ExecuteAsync(sql, Parameters(r), t).ConfigureAwait(false);
            await WebhookOutbox.AppendAsync(c, t, [statusEvent], r.StoppedTime ?? r.StartedTime ?? r.InvokedTime).ConfigureAwait(false);
        }, CancellationToken.None).ConfigureAwait(false);
        webhooks.Notify();
    }

    public Task<Recording?> FindAsync(string appId, string id, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM recordings WHERE id = @id AND app_id = @appId", new { appId, id }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<Recording?> FindAsync(string id, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM recordings WHERE id = @id", new { id }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<Recording?> FindBySessionAsync(string appId, string sessionId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QueryFirstOrDefaultAsync<Row>(
            $"SELECT {Columns} FROM recordings WHERE session_id = @sessionId AND app_id = @appId ORDER BY invoked_time DESC", new { appId, sessionId })
            .ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<Page<Recording>> ListAsync(string appId, RecordingFilter filter, Paging paging, CancellationToken cancellationToken)
    {
        var where = new SqlWhere("app_id = @appId")
            .And("meeting_id = @meetingId", filter.MeetingId is not null)
            .And("status = @status", filter.Status is not null)
            .Between("invoked_time", filter.From, filter.To);
        var args = new
        {
            appId, meetingId = filter.MeetingId, status = filter.Status?.Name(), from = Ms(filter.From), to = Ms(filter.To), limit = paging.PerPage,
            offset = paging.Offset,
        };
        string order = filter.Ascending ? "ASC" : "DESC";
        return db.QueryPageAsync($"SELECT {Columns}", "recordings", where, $"invoked_time {order}, rowid {order}",
            (c, sql) => c.QueryAsync<Row>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(), cancellationToken);
    }

    /// <summary>Recordings stored and downloadable, and those whose upload failed (their local copy kept), oldest first.</summary>
    public Task<IReadOnlyList<Recording>> ListStoredAsync(CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<Recording>>(async c => (await c.QueryAsync<Row>(
            $"SELECT {Columns} FROM recordings WHERE status = 'UPLOADED' OR (status = 'ERRORED' AND storage IS NOT NULL AND file_size IS NOT NULL) " +
            "ORDER BY stopped_time, rowid").ConfigureAwait(false)).Select(r => r.ToModel()).ToList(),
            cancellationToken);

    public Task DeleteAsync(string id, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync("DELETE FROM recordings WHERE id = @id", new { id }), cancellationToken);

    /// <summary>
    /// Recordings this node left active when it stopped: they are finished (from the files on its disk) or marked at
    /// its next start. In a cluster, only its own: another node has not got the files.
    /// </summary>
    public Task<IReadOnlyList<Recording>> ListActiveAsync(CancellationToken cancellationToken) =>
        ListOwnAsync("status IN ('INVOKED', 'RECORDING', 'PAUSED')", cancellationToken);

    /// <summary>Recordings this node was uploading when it stopped (their local copies are on its disk).</summary>
    public Task<IReadOnlyList<Recording>> ListUploadingAsync(CancellationToken cancellationToken) => ListOwnAsync("status = 'UPLOADING'", cancellationToken);

    private Task<IReadOnlyList<Recording>> ListOwnAsync(string condition, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<Recording>>(async c => (await c.QueryAsync<Row>(
            $"SELECT {Columns} FROM recordings WHERE {condition}" + (node.IsClustered ? " AND (node_id IS NULL OR node_id = @nodeId)" : ""),
            new { nodeId = node.Id }).ConfigureAwait(false)).Select(r => r.ToModel()).ToList(),
            cancellationToken);

    private RecordingParameters Parameters(Recording r) => new(
        r.Id, r.AppId, r.MeetingId, r.LivestreamId, r.SessionId, r.Status.Name(), Ms(r.InvokedTime), Ms(r.StartedTime), Ms(r.StoppedTime), r.OutputFileName,
        r.FileSize, r.Duration, r.StartReason, r.StopReason, r.MaxSeconds, r.Error, new BinaryParameter(r.SealedStorage), r.StorageKey,
        r.Tracks is null ? null : System.Text.Json.JsonSerializer.Serialize(r.Tracks, RecordingStoredJsonContext.Default.IReadOnlyListRecordedTrack), r.CaptionsFileSize,
        node.Id);

    /// <summary>A recording's columns (a named type: Dapper.AOT binds it at compile time).</summary>
    internal sealed record RecordingParameters(
        string Id, string AppId, string? MeetingId, string? LivestreamId, string? SessionId, string Status, long InvokedTime, long? StartedTime,
        long? StoppedTime, string OutputFileName, long? FileSize, double? Duration, string StartReason, string? StopReason, int? MaxSeconds, string? Error,
        BinaryParameter Storage, string? StorageKey, string? Tracks, long? CaptionsFileSize, string NodeId);

    internal sealed record Row(string Id, string AppId, string? MeetingId, string? LivestreamId, string? SessionId, string Status, long InvokedTime,
        long? StartedTime, long? StoppedTime, string OutputFileName, long? FileSize, double? Duration, string StartReason, string? StopReason,
        long? MaxSeconds, string? Error, byte[]? Storage, string? StorageKey, string? Tracks, long? CaptionsFileSize)
    {
        public Recording ToModel() => new(Id, AppId, MeetingId, LivestreamId, SessionId, RecordingStatuses.Parse(Status) ?? RecordingStatus.Errored,
            Time(InvokedTime), StartedTime is { } s ? Time(s) : null, StoppedTime is { } e ? Time(e) : null, OutputFileName, FileSize, Duration,
            StartReason, StopReason, MaxSeconds is { } m ? (int)m : null, Error, Storage, StorageKey,
            Tracks is null ? null : System.Text.Json.JsonSerializer.Deserialize(Tracks, RecordingStoredJsonContext.Default.IReadOnlyListRecordedTrack),
            CaptionsFileSize);
    }
}
