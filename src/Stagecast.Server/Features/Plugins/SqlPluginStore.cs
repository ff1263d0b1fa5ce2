using System.Data.Common;
using System.Text.Json;
using Dapper;
using Stagecast.Server.Hosting.Database;
using static Stagecast.Server.Hosting.Database.SqlTime;

namespace Stagecast.Server.Features.Plugins;

public sealed class SqlPluginStore(SqlDatabase db) : IPluginStore
{
    private const string Columns = "id, app_id, name, description, picture, base_url, presets, created_at, updated_at";

    public async Task<bool> CreateAsync(Plugin plugin, CancellationToken cancellationToken)
    {
        try
        {
            await db.WithConnectionAsync(c => c.ExecuteAsync(
                $"INSERT INTO plugins ({Columns}) VALUES (@Id, @AppId, @Name, @Description, @Picture, @BaseUrl, @Presets, @CreatedAt, @UpdatedAt)",
                Parameters(plugin)), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (db.Dialect.IsUniqueViolation(ex))
        {
            return false;
        }
    }

    public Task<Plugin?> FindAsync(string appId, string pluginId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => (await c.QuerySingleOrDefaultAsync<PluginRow>(
            $"SELECT {Columns} FROM plugins WHERE id = @pluginId AND app_id = @appId", new { appId, pluginId }).ConfigureAwait(false))?.ToModel(),
            cancellationToken);

    public Task<Page<Plugin>> ListAsync(string appId, string? search, Paging paging, CancellationToken cancellationToken)
    {
        var args = new { appId, pattern = SqlLike.Contains(search), limit = paging.PerPage, offset = paging.Offset };
        return db.QueryPageAsync($"SELECT {Columns}", "plugins", new SqlWhere("app_id = @appId").Search(search, "id", "name"), "created_at, rowid",
            (c, sql) => c.QueryAsync<PluginRow>(sql, args), (c, sql) => c.ExecuteScalarAsync<long>(sql, args), r => r.ToModel(), cancellationToken);
    }

    public async Task<bool> UpdateAsync(Plugin plugin, CancellationToken cancellationToken)
    {
        try
        {
            await db.WithConnectionAsync(c => c.ExecuteAsync(
                "UPDATE plugins SET name = @Name, description = @Description, picture = @Picture, base_url = @BaseUrl, presets = @Presets, updated_at = @UpdatedAt WHERE id = @Id",
                Parameters(plugin)), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (db.Dialect.IsUniqueViolation(ex))
        {
            return false;
        }
    }

    public Task<bool> DeleteAsync(string appId, string pluginId, CancellationToken cancellationToken) =>
        db.WithConnectionAsync(async c => await c.ExecuteAsync(
            "DELETE FROM plugins WHERE id = @pluginId AND app_id = @appId", new { appId, pluginId }).ConfigureAwait(false) == 1, cancellationToken);

    private static PluginRow Parameters(Plugin p) => new(
        p.Id, p.AppId, p.Name, p.Description, p.Picture, p.BaseUrl,
        JsonSerializer.Serialize(p.Presets, StoredJsonContext.Default.IReadOnlyListString), Ms(p.CreatedAt), Ms(p.UpdatedAt));

    /// <summary>A plugin's columns, read and written (a named type: Dapper.AOT binds it at compile time).</summary>
    internal sealed record PluginRow(string Id, string AppId, string Name, string Description, string? Picture, string BaseUrl, string Presets, long CreatedAt, long UpdatedAt)
    {
        public Plugin ToModel() => new(
            Id, AppId, Name, Description, Picture, BaseUrl, JsonSerializer.Deserialize(Presets, StoredJsonContext.Default.IReadOnlyListString) ?? [],
            Time(CreatedAt), Time(UpdatedAt));
    }
}
