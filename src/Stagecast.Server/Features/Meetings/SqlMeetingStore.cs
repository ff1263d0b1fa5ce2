using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Meetings;

/// <summary>Meetings in SQLite; room stream URLs (which carry stream keys) are sealed like livestream keys.</summary>
public sealed class SqlMeetingStore(SqlDatabase db, StreamKeyProtector keys) : IMeetingStore
{
    private const string Columns =
        "id, app_id, title, record_on_start, live_stream_on_start, persist_chat, summarize_on_end, transcribe_on_end, " +
        "session_keep_alive_time_in_secs, status, ai_config, recording_config, created_at, updated_at, room_streams, parent_meeting_id";

    public Task CreateAsync(Meeting meeting, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            $"INSERT INTO meetings ({Columns}) VALUES (@Id, @AppId, @Title, @RecordOnStart, @LiveStreamOnStart, @PersistChat, @SummarizeOnEnd, " +
            "@TranscribeOnEnd, @SessionKeepAliveTimeInSecs, @Status, @AiConfig, @RecordingConfig, @CreatedAt, @UpdatedAt, @RoomStreams, @ParentMeetingId)",
            Parameters(meeting)), cancellationToken);

    public Task<Meeting?> FindAsync(string appId, string meetingId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<MeetingRow>(
            $"SELECT {Columns} FROM meetings WHERE id = @meetingId AND app_id = @appId", new { appId, meetingId }).ConfigureAwait(false))?.ToModel(keys),
            cancellationToken);

    public Task<Meeting?> FindAsync(string meetingId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<MeetingRow>(
            $"SELECT {Columns} FROM meetings WHERE id = @meetingId", new { meetingId }).ConfigureAwait(false))?.ToModel(keys), cancellationToken);

    public Task<Page<Meeting>> ListAsync(string appId, MeetingFilter filter, Paging paging, CancellationToken cancellationToken)
    {
        var where = new SqlWhere("app_id = @appId")
            .Search(filter.Search, "id", "title")
            .And("status = @status", filter.Status is not null)
            .Between("created_at", filter.CreatedFrom, filter.CreatedTo);
        var args = new
        {
            appId, pattern = SqlLike.Contains(filter.Search), status = filter.Status is { } status ? StatusText(status) : null, from = Ms(filter.CreatedFrom),
            to = Ms(filter.CreatedTo), limit = paging.PerPage, offset = paging.Offset,
        };
        string order = filter.Ascending ? "ASC" : "DESC";
        return db.QueryPageAsync($"SELECT {Columns}", "meetings", where, $"created_at {order}, rowid {order}",
            (c, sql) => c.QueryAsync<MeetingRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(keys), cancellationToken);
    }

    public Task UpdateAsync(Meeting meeting, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE meetings SET title = @Title, record_on_start = @RecordOnStart, live_stream_on_start = @LiveStreamOnStart, persist_chat = @PersistChat, " +
            "summarize_on_end = @SummarizeOnEnd, transcribe_on_end = @TranscribeOnEnd, session_keep_alive_time_in_secs = @SessionKeepAliveTimeInSecs, " +
            "status = @Status, ai_config = @AiConfig, recording_config = @RecordingConfig, updated_at = @UpdatedAt, room_streams = @RoomStreams WHERE id = @Id",
            Parameters(meeting)), cancellationToken);

    public async Task<IReadOnlyList<Meeting>> ListChildrenAsync(string parentMeetingId, CancellationToken cancellationToken) =>
        [.. (await db.WithConnectionAsync(c => c.QueryAsync<MeetingRow>(
            $"SELECT {Columns} FROM meetings WHERE parent_meeting_id = @parentMeetingId AND status = 'ACTIVE' ORDER BY created_at, rowid", new { parentMeetingId }),
            cancellationToken).ConfigureAwait(false)).Select(r => r.ToModel(keys))];

    private static string StatusText(MeetingStatus status) => status == MeetingStatus.Active ? "ACTIVE" : "INACTIVE";

    private MeetingParameters Parameters(Meeting m) => new(
        m.Id, m.AppId, m.Title, Bit(m.RecordOnStart), Bit(m.LiveStreamOnStart), Bit(m.PersistChat), Bit(m.SummarizeOnEnd), Bit(m.TranscribeOnEnd),
        m.SessionKeepAliveTimeInSecs, StatusText(m.Status), m.AiConfig?.ToJsonString(), m.RecordingConfig?.ToJsonString(), Ms(m.CreatedAt), Ms(m.UpdatedAt),
        new BinaryParameter(m.RoomStreams is { Count: > 0 } urls ? keys.Protect(JsonSerializer.Serialize(urls, StoredJsonContext.Default.IReadOnlyListString)) : null),
        m.ParentMeetingId);

    /// <summary>A meeting's columns (a named type: Dapper.AOT binds it at compile time).</summary>
    internal sealed record MeetingParameters(
        string Id, string AppId, string? Title, long RecordOnStart, long LiveStreamOnStart, long PersistChat, long SummarizeOnEnd, long TranscribeOnEnd,
        int SessionKeepAliveTimeInSecs, string Status, string? AiConfig, string? RecordingConfig, long CreatedAt, long UpdatedAt, BinaryParameter RoomStreams,
        string? ParentMeetingId);

    internal sealed record MeetingRow(
        string Id, string AppId, string? Title, long RecordOnStart, long LiveStreamOnStart, long PersistChat, long SummarizeOnEnd, long TranscribeOnEnd,
        long SessionKeepAliveTimeInSecs, string Status, string? AiConfig, string? RecordingConfig, long CreatedAt, long UpdatedAt, byte[]? RoomStreams,
        string? ParentMeetingId)
    {
        public Meeting ToModel(StreamKeyProtector keys) => new(
            Id, AppId, Title, RecordOnStart != 0, LiveStreamOnStart != 0, PersistChat != 0, SummarizeOnEnd != 0, TranscribeOnEnd != 0,
            (int)SessionKeepAliveTimeInSecs, Status == "ACTIVE" ? MeetingStatus.Active : MeetingStatus.Inactive,
            Document(AiConfig), Document(RecordingConfig), Time(CreatedAt), Time(UpdatedAt),
            RoomStreams is null ? null : JsonSerializer.Deserialize(keys.Unprotect(RoomStreams), StoredJsonContext.Default.IReadOnlyListString),
            ParentMeetingId);

        private static JsonObject? Document(string? json) => json is null ? null : JsonNode.Parse(json) as JsonObject;
    }
}
