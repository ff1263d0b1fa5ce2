using System.Collections.Immutable;
using System.Text.Json;
using Dapper;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting.Database;
using Stagecast.Streaming.Renditions;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Livestreams;

public sealed class SqlLivestreamStore(SqlDatabase db) : ILivestreamStore
{
    private const string LivestreamColumns =
        "id, app_id, name, meeting_id, stream_key, stream_key_hash, status, disabled, manual_ingest, created_at, updated_at, meeting_session_id, video_config, recording_mode, ingest_protocol, renditions, require_tls, transcription_enabled";

    public Task CreateLivestreamAsync(Livestream livestream, CancellationToken cancellationToken)
    {
        // Serialized before the call: Dapper.AOT leaves a call alone (to Dapper's IL emission) when its arguments hold one.
        string? videoConfig = livestream.VideoConfig is null ? null : JsonSerializer.Serialize(livestream.VideoConfig, LivestreamStoredJsonContext.Default.VideoConfig);
        return db.WithConnectionAsync(c => c.ExecuteAsync(
            $"INSERT INTO livestreams ({LivestreamColumns}) VALUES (@Id, @AppId, @Name, @MeetingId, @StreamKey, @StreamKeyHash, @Status, @Disabled, @ManualIngest, @CreatedAt, @UpdatedAt, @MeetingSessionId, @VideoConfig, @RecordingMode, @IngestProtocol, @Renditions, @RequireTls, @TranscriptionEnabled)",
            new
            {
                livestream.Id,
                livestream.AppId,
                livestream.Name,
                livestream.MeetingId,
                StreamKey = new BinaryParameter(livestream.SealedStreamKey),
                StreamKeyHash = new BinaryParameter(livestream.StreamKeyHash),
                Status = StatusText(livestream.Status),
                Disabled = Bit(livestream.Disabled),
                ManualIngest = Bit(livestream.ManualIngest),
                CreatedAt = Ms(livestream.CreatedAt),
                UpdatedAt = Ms(livestream.UpdatedAt),
                livestream.MeetingSessionId,
                VideoConfig = videoConfig,
                livestream.RecordingMode,
                livestream.IngestProtocol,
                Renditions = LadderSetting.ToColumn(livestream.Renditions),
                RequireTls = Bit(livestream.RequireTls),
                TranscriptionEnabled = Bit(livestream.TranscriptionEnabled),
            }), cancellationToken);
    }

    public Task<Livestream?> FindLivestreamAsync(string appId, string livestreamId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<LivestreamRow>(
            $"SELECT {LivestreamColumns} FROM livestreams WHERE id = @livestreamId AND app_id = @appId AND deleted_at IS NULL",
            new { appId, livestreamId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<Livestream?> FindLivestreamAsync(string livestreamId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<LivestreamRow>(
            $"SELECT {LivestreamColumns} FROM livestreams WHERE id = @livestreamId AND deleted_at IS NULL",
            new { livestreamId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<Livestream?> FindLivestreamByKeyHashAsync(byte[] keyHash, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<LivestreamRow>(
            $"SELECT {LivestreamColumns} FROM livestreams WHERE stream_key_hash = @keyHash AND deleted_at IS NULL",
            new { keyHash = new BinaryParameter(keyHash) }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task<Page<Livestream>> ListLivestreamsAsync(string appId, LivestreamFilter filter, Paging paging, CancellationToken cancellationToken)
    {
        string[]? statuses = filter.Statuses?.Select(StatusText).ToArray();
        var where = new SqlWhere("app_id = @appId AND deleted_at IS NULL")
            .AndIn("status", "statuses", statuses)
            .And("meeting_id IS NULL", filter.ExcludeMeetings)
            .Between("created_at", filter.CreatedFrom, filter.CreatedTo);
        var args = new { appId, statuses, from = Ms(filter.CreatedFrom), to = Ms(filter.CreatedTo), limit = paging.PerPage, offset = paging.Offset };
        string order = filter.Ascending ? "ASC" : "DESC";
        return db.QueryPageAsync($"SELECT {LivestreamColumns}", "livestreams", where, $"created_at {order}, rowid {order}",
            (c, sql) => c.QueryAsync<LivestreamRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(), cancellationToken);
    }

    public Task UpdateStreamKeyAsync(string livestreamId, byte[] sealedKey, byte[] keyHash, DateTimeOffset updatedAt, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE livestreams SET stream_key = @sealedKey, stream_key_hash = @keyHash, updated_at = @at WHERE id = @livestreamId",
            new { livestreamId, sealedKey = new BinaryParameter(sealedKey), keyHash = new BinaryParameter(keyHash), at = Ms(updatedAt) }), cancellationToken);

    public Task SetDisabledAsync(string livestreamId, bool disabled, DateTimeOffset updatedAt, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE livestreams SET disabled = @disabled, updated_at = @at WHERE id = @livestreamId",
            new { livestreamId, disabled = Bit(disabled), at = Ms(updatedAt) }), cancellationToken);

    public Task SetStatusAsync(string livestreamId, LivestreamStatus status, DateTimeOffset updatedAt, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE livestreams SET status = @status, updated_at = @at WHERE id = @livestreamId",
            new { livestreamId, status = StatusText(status), at = Ms(updatedAt) }), cancellationToken);

    public Task<Page<Livestream>> ListMeetingLivestreamsAsync(string appId, string meetingId, Paging paging, CancellationToken cancellationToken)
    {
        var args = new { appId, meetingId, limit = paging.PerPage, offset = paging.Offset };
        return db.QueryPageAsync($"SELECT {LivestreamColumns}", "livestreams", new SqlWhere("app_id = @appId AND meeting_id = @meetingId AND deleted_at IS NULL"),
            "created_at DESC, rowid DESC", (c, sql) => c.QueryAsync<LivestreamRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(),
            cancellationToken);
    }

    public Task<IReadOnlyList<Livestream>> ListActiveMeetingLivestreamsAsync(CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<Livestream>>(async c => (await c.QueryAsync<LivestreamRow>(
            $"SELECT {LivestreamColumns} FROM livestreams WHERE meeting_id IS NOT NULL AND status IN ('INVOKED', 'LIVE') AND deleted_at IS NULL")
            .ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task SetSettingsAsync(Livestream livestream, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE livestreams SET recording_mode = @RecordingMode, renditions = @Renditions, require_tls = @RequireTls, transcription_enabled = @TranscriptionEnabled, updated_at = @UpdatedAt WHERE id = @Id",
            new
            {
                livestream.Id,
                livestream.RecordingMode,
                Renditions = LadderSetting.ToColumn(livestream.Renditions),
                RequireTls = Bit(livestream.RequireTls),
                TranscriptionEnabled = Bit(livestream.TranscriptionEnabled),
                UpdatedAt = Ms(livestream.UpdatedAt),
            }),
            cancellationToken);

    public Task<StreamLadder> FindLadderAsync(string livestreamId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => await c.QuerySingleOrDefaultAsync<LadderRow>(
            "SELECT l.renditions, a.default_renditions, a.account_id FROM livestreams l JOIN apps a ON a.id = l.app_id WHERE l.id = @livestreamId AND l.deleted_at IS NULL",
            new { livestreamId }).ConfigureAwait(false) is { } row
            ? new StreamLadder(LadderSetting.Effective(LadderSetting.FromColumn(row.Renditions), LadderSetting.FromColumn(row.DefaultRenditions)), row.AccountId)
            : StreamLadder.SourceOnly, cancellationToken);

    public Task<bool> DeleteLivestreamAsync(string livestreamId, DateTimeOffset deletedAt, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => await c.ExecuteAsync(
            "UPDATE livestreams SET deleted_at = @at, updated_at = @at WHERE id = @livestreamId AND deleted_at IS NULL",
            new { livestreamId, at = Ms(deletedAt) }).ConfigureAwait(false) == 1, cancellationToken);

    internal static string StatusText(LivestreamStatus status) => status switch
    {
        LivestreamStatus.Idle => "IDLE",
        LivestreamStatus.Invoked => "INVOKED",
        LivestreamStatus.Live => "LIVE",
        _ => "ERRORED",
    };

    private static LivestreamStatus ParseStatus(string text) => text switch
    {
        "INVOKED" => LivestreamStatus.Invoked,
        "LIVE" => LivestreamStatus.Live,
        "ERRORED" => LivestreamStatus.Errored,
        _ => LivestreamStatus.Idle,
    };

    internal sealed record LivestreamRow(
        string Id, string AppId, string? Name, string? MeetingId, byte[] StreamKey, byte[] StreamKeyHash, string Status, long Disabled, long ManualIngest,
        long CreatedAt, long UpdatedAt, string? MeetingSessionId, string? VideoConfig, string RecordingMode, string IngestProtocol, string? Renditions,
        long RequireTls, long TranscriptionEnabled)
    {
        public Livestream ToModel() => new(
            Id, AppId, Name, MeetingId, StreamKey, StreamKeyHash, ParseStatus(Status), Disabled != 0, ManualIngest != 0, Time(CreatedAt), Time(UpdatedAt),
            MeetingSessionId, VideoConfig is null ? null : JsonSerializer.Deserialize(VideoConfig, LivestreamStoredJsonContext.Default.VideoConfig), RecordingMode,
            IngestProtocol, LadderSetting.FromColumn(Renditions), RequireTls != 0, TranscriptionEnabled != 0);
    }

    internal sealed record LadderRow(string? Renditions, string? DefaultRenditions, string AccountId);
}
