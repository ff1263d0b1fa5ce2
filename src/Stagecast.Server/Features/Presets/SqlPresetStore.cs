using System.Data.Common;
using System.Text.Json.Nodes;
using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Presets;

public sealed class SqlPresetStore(SqlDatabase db) : IPresetStore
{
    private const string Columns = "id, app_id, name, config, permissions, ui, created_at, updated_at";

    public async Task<bool> CreateManyAsync(IReadOnlyList<Preset> presets, CancellationToken cancellationToken)
    {
        try
        {
            await db.InTransactionAsync((c, t) => c.ExecuteAsync(
                $"INSERT INTO presets ({Columns}) VALUES (@Id, @AppId, @Name, @Config, @Permissions, @Ui, @CreatedAt, @UpdatedAt)",
                presets.Select(Parameters), t), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (db.Dialect.IsUniqueViolation(ex))
        {
            return false;
        }
    }

    public Task<bool> AnyAsync(string appId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(c => c.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM presets WHERE app_id = @appId)", new { appId }), cancellationToken);

    public Task<Preset?> FindAsync(string appId, string presetId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<PresetRow>(
            $"SELECT {Columns} FROM presets WHERE id = @presetId AND app_id = @appId", new { appId, presetId }).ConfigureAwait(false))?.ToModel(),
            cancellationToken);

    public Task<Preset?> FindByNameAsync(string appId, string name, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<PresetRow>(
            $"SELECT {Columns} FROM presets WHERE name = @name AND app_id = @appId", new { appId, name }).ConfigureAwait(false))?.ToModel(),
            cancellationToken);

    public Task<Page<Preset>> ListAsync(string appId, string? search, Paging paging, CancellationToken cancellationToken)
    {
        var args = new { appId, pattern = SqlLike.Contains(search), limit = paging.PerPage, offset = paging.Offset };
        return db.QueryPageAsync($"SELECT {Columns}", "presets", new SqlWhere("app_id = @appId").Search(search, "id", "name"), "created_at, rowid",
            (c, sql) => c.QueryAsync<PresetRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(), cancellationToken);
    }

    public async Task<bool> UpdateAsync(Preset preset, CancellationToken cancellationToken)
    {
        try
        {
            await db.WithConnectionAsync(c => c.ExecuteAsync(
                "UPDATE presets SET name = @Name, config = @Config, permissions = @Permissions, ui = @Ui, updated_at = @UpdatedAt WHERE id = @Id",
                Parameters(preset)), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (db.Dialect.IsUniqueViolation(ex))
        {
            return false;
        }
    }

    public Task<bool> DeleteUnusedAsync(string presetId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => await c.ExecuteAsync(
            "DELETE FROM presets WHERE id = @presetId AND NOT EXISTS (SELECT 1 FROM participants WHERE preset_id = @presetId AND deleted_at IS NULL)",
            new { presetId }).ConfigureAwait(false) == 1, cancellationToken);

    private static PresetRow Parameters(Preset p) => new(
        p.Id, p.AppId, p.Name, p.Config.ToJsonString(), p.Permissions.ToJsonString(), p.Ui.ToJsonString(), Ms(p.CreatedAt), Ms(p.UpdatedAt));

    /// <summary>A preset's columns, read and written (a named type: Dapper.AOT binds it at compile time).</summary>
    internal sealed record PresetRow(string Id, string AppId, string Name, string Config, string Permissions, string Ui, long CreatedAt, long UpdatedAt)
    {
        /// <summary>The preset with the defaults of fields added since it was saved (<see cref="PresetDocument.WithDefaults"/>).</summary>
        public Preset ToModel()
        {
            var (config, permissions, ui) = PresetDocument.WithDefaults(
                ((JsonObject)JsonNode.Parse(Config)!, (JsonObject)JsonNode.Parse(Permissions)!, (JsonObject)JsonNode.Parse(Ui)!), DefaultPresets.DefaultsFor(Name));
            return new(Id, AppId, Name, config, permissions, ui, Time(CreatedAt), Time(UpdatedAt));
        }
    }
}
