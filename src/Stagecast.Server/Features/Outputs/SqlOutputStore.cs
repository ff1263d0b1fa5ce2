using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Outputs;

public sealed class SqlOutputStore(SqlDatabase db) : IOutputStore
{
    private const string OutputColumns = "id, livestream_id, app_id, url, stream_key, enabled, created_at, updated_at";

    public Task CreateOutputAsync(LivestreamOutput output, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            $"INSERT INTO livestream_outputs ({OutputColumns}) VALUES (@Id, @LivestreamId, @AppId, @Url, @StreamKey, @Enabled, @CreatedAt, @UpdatedAt)",
            new
            {
                output.Id,
                output.LivestreamId,
                output.AppId,
                output.Url,
                StreamKey = new BinaryParameter(output.SealedStreamKey),
                Enabled = Bit(output.Enabled),
                CreatedAt = Ms(output.CreatedAt),
                UpdatedAt = Ms(output.UpdatedAt),
            }), cancellationToken);

    public Task<IReadOnlyList<LivestreamOutput>> ListOutputsAsync(string livestreamId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync<IReadOnlyList<LivestreamOutput>>(async c => (await c.QueryAsync<OutputRow>(
            $"SELECT {OutputColumns} FROM livestream_outputs WHERE livestream_id = @livestreamId ORDER BY created_at, rowid",
            new { livestreamId }).ConfigureAwait(false)).Select(r => r.ToModel()).ToList(), cancellationToken);

    public Task<LivestreamOutput?> FindOutputAsync(string livestreamId, string outputId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<OutputRow>(
            $"SELECT {OutputColumns} FROM livestream_outputs WHERE id = @outputId AND livestream_id = @livestreamId",
            new { livestreamId, outputId }).ConfigureAwait(false))?.ToModel(), cancellationToken);

    public Task SetOutputEnabledAsync(string outputId, bool enabled, DateTimeOffset updatedAt, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteAsync(
            "UPDATE livestream_outputs SET enabled = @enabled, updated_at = @at WHERE id = @outputId",
            new { outputId, enabled = Bit(enabled), at = Ms(updatedAt) }), cancellationToken);

    public Task<bool> DeleteOutputAsync(string outputId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => await c.ExecuteAsync(
            "DELETE FROM livestream_outputs WHERE id = @outputId", new { outputId }).ConfigureAwait(false) == 1, cancellationToken);

    internal sealed record OutputRow(string Id, string LivestreamId, string AppId, string Url, byte[] StreamKey, long Enabled, long CreatedAt, long UpdatedAt)
    {
        public LivestreamOutput ToModel() => new(Id, LivestreamId, AppId, Url, StreamKey, Enabled != 0, Time(CreatedAt), Time(UpdatedAt));
    }
}
