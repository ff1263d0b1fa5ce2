using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Presets;

public interface IPresetStore
{
    /// <summary>Creates presets; false (nothing written) when one of the names is taken in its app.</summary>
    Task<bool> CreateManyAsync(IReadOnlyList<Preset> presets, CancellationToken cancellationToken);

    Task<bool> AnyAsync(string appId, CancellationToken cancellationToken);

    Task<Preset?> FindAsync(string appId, string presetId, CancellationToken cancellationToken);

    Task<Preset?> FindByNameAsync(string appId, string name, CancellationToken cancellationToken);

    Task<Page<Preset>> ListAsync(string appId, string? search, Paging paging, CancellationToken cancellationToken);

    /// <summary>Writes a changed preset; false when its new name is taken in its app.</summary>
    Task<bool> UpdateAsync(Preset preset, CancellationToken cancellationToken);

    /// <summary>Deletes a preset no participant uses; false when one does.</summary>
    Task<bool> DeleteUnusedAsync(string presetId, CancellationToken cancellationToken);
}
