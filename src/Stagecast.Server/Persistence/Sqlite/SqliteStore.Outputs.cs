using Dapper;

namespace Stagecast.Server.Persistence.Sqlite;

public sealed partial class SqliteStore
{
    private const string OutputColumns = "id, livestream_id, app_id, url, stream_key, enabled, created_at, updated_at";

    public Task CreateOutputAsync(LivestreamOutput output, CancellationToken cancellationToken) =>
        WithConnectionAsync(c => c.ExecuteAsync(
            $"INSERT INTO livestream_outputs ({OutputColumns}) VALUES (@Id, @LivestreamId, @AppId, @Url, @StreamKey, @Enabled, @CreatedAt, @UpdatedAt)",
            new
            {
                output.Id,
                output.LivestreamId,
                output.AppId,
                output.Url,
                StreamKey = output.SealedStreamKey,
                output.Enabled,
                CreatedAt = Ms(output.CreatedAt),
                UpdatedAt = Ms(output.UpdatedAt),
            }), cancellationToken);

    public Task<IReadOnlyList<LivestreamOutput>> ListOutputsAsync(string livestreamId, CancellationToken cancellationToken) =>
        WithConnectionAsync<IReadOnlyList<LivestreamOutput>>(async c => (await c.QueryAsync<OutputRow>(
            $"SELECT {OutputColumns} FROM livestream_outputs WHERE livestream_id = @livestreamId ORDER BY created_at, id",
            new { livestreamId }).ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task<LivestreamOutput?> FindOutputAsync(string livestreamId, string outputId, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<OutputRow>(
            $"SELECT {OutputColumns} FROM livestream_outputs WHERE id = @outputId AND livestream_id = @livestreamId",
            new { livestreamId, outputId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task SetOutputEnabledAsync(string outputId, bool enabled, DateTimeOffset updatedAt, CancellationToken cancellationToken) =>
        WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE livestream_outputs SET enabled = @enabled, updated_at = @at WHERE id = @outputId",
            new { outputId, enabled, at = Ms(updatedAt) }), cancellationToken);

    public Task<bool> DeleteOutputAsync(string outputId, CancellationToken cancellationToken) =>
        WithConnectionAsync(async c => await c.ExecuteAsync(
            "DELETE FROM livestream_outputs WHERE id = @outputId", new { outputId }).ConfigureAwait(false) == 1, cancellationToken);

    private sealed class OutputRow
    {
        public string Id { get; set; } = "";

        public string LivestreamId { get; set; } = "";

        public string AppId { get; set; } = "";

        public string Url { get; set; } = "";

        public byte[] StreamKey { get; set; } = [];

        public long Enabled { get; set; }

        public long CreatedAt { get; set; }

        public long UpdatedAt { get; set; }

        public LivestreamOutput ToModel() => new(Id, LivestreamId, AppId, Url, StreamKey, Enabled != 0, Time(CreatedAt), Time(UpdatedAt));
    }
}
