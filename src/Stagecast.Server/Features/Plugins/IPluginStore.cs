using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Plugins;

public interface IPluginStore
{
    /// <summary>Creates a plugin; false (nothing written) when its name is taken in its app.</summary>
    Task<bool> CreateAsync(Plugin plugin, CancellationToken cancellationToken);

    Task<Plugin?> FindAsync(string appId, string pluginId, CancellationToken cancellationToken);

    Task<Page<Plugin>> ListAsync(string appId, string? search, Paging paging, CancellationToken cancellationToken);

    /// <summary>Writes a changed plugin; false when its new name is taken in its app.</summary>
    Task<bool> UpdateAsync(Plugin plugin, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(string appId, string pluginId, CancellationToken cancellationToken);
}
