using Stagecast.Server.Features.Presets;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Apps;

/// <summary>Apps: each new app gets the default presets, so participants can be added to its meetings at once.</summary>
public sealed class AppService(IAppStore store, IPresetStore presets, TimeProvider time)
{
    public async Task<App> CreateAsync(string accountId, string? id, string? name, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var app = new App(id ?? Guid.NewGuid().ToString(), accountId, name, now);
        await store.CreateAsync(app, cancellationToken).ConfigureAwait(false);
        await presets.CreateManyAsync(DefaultPresets.For(app.Id, now), cancellationToken).ConfigureAwait(false);
        return app;
    }

    public async Task<IReadOnlyList<App>> ListAsync(string accountId, CancellationToken cancellationToken) =>
        (await store.ListAsync(accountId, null, new Paging(1, int.MaxValue), ascending: true, cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>Apps made before presets existed (or whose defaults were not written) get the defaults.</summary>
    public async Task EnsureDefaultPresetsAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (string appId in await store.ListAllIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await presets.AnyAsync(appId, cancellationToken).ConfigureAwait(false))
            {
                await presets.CreateManyAsync(DefaultPresets.For(appId, now), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
