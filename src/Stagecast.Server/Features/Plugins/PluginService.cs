using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Plugins;

/// <summary>Plugin CRUD: names are unique in an app; the presets a plugin names need not exist yet (a name is matched when a participant asks).</summary>
public sealed class PluginService(IPluginStore store, TimeProvider time)
{
    public async Task<Plugin> CreateAsync(string appId, PluginRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var plugin = new Plugin(Guid.NewGuid().ToString(), appId, request.Name ?? throw ApiException.BadRequest("\"name\" is required"),
            request.Description ?? "", request.Picture, request.BaseUrl ?? throw ApiException.BadRequest("\"base_url\" is required"),
            [.. (request.Presets ?? []).Distinct(StringComparer.Ordinal)], now, now);
        return await store.CreateAsync(plugin, cancellationToken).ConfigureAwait(false) ? plugin : throw NameTaken(plugin.Name);
    }

    /// <summary>Merges what the request gives into the plugin.</summary>
    public async Task<Plugin> UpdateAsync(string appId, string pluginId, PluginRequest request, CancellationToken cancellationToken)
    {
        var current = await FindAsync(appId, pluginId, cancellationToken).ConfigureAwait(false);
        var updated = current with
        {
            Name = request.Name ?? current.Name,
            Description = request.Description ?? current.Description,
            Picture = request.Picture ?? current.Picture,
            BaseUrl = request.BaseUrl ?? current.BaseUrl,
            Presets = request.Presets is { } presets ? [.. presets.Distinct(StringComparer.Ordinal)] : current.Presets,
            UpdatedAt = time.GetUtcNow(),
        };
        return await store.UpdateAsync(updated, cancellationToken).ConfigureAwait(false) ? updated : throw NameTaken(updated.Name);
    }

    public async Task<Plugin> DeleteAsync(string appId, string pluginId, CancellationToken cancellationToken)
    {
        var plugin = await FindAsync(appId, pluginId, cancellationToken).ConfigureAwait(false);
        await store.DeleteAsync(appId, pluginId, cancellationToken).ConfigureAwait(false);
        return plugin;
    }

    public async Task<Plugin> FindAsync(string appId, string pluginId, CancellationToken cancellationToken) =>
        await store.FindAsync(appId, pluginId, cancellationToken).ConfigureAwait(false)
        ?? throw ApiException.NotFound($"No plugin found with id {pluginId}");

    private static ApiException NameTaken(string name) => ApiException.Conflict($"a plugin named {name} already exists in this app");
}
