using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Presets;

/// <summary>
/// Every app has the default presets, so participants can be added to its meetings at once: a new app gets them when
/// it is made, and at start apps made before presets existed (or whose defaults were not written) get them.
/// </summary>
public sealed class DefaultPresetsForApps(IAppStore apps, IPresetStore presets, TimeProvider time) : IAppObserver, IStartupTask
{
    public Task OnAppCreatedAsync(App app, CancellationToken cancellationToken) =>
        presets.CreateManyAsync(DefaultPresets.For(app.Id, time.GetUtcNow()), cancellationToken);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (string appId in await apps.ListAllIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!await presets.AnyAsync(appId, cancellationToken).ConfigureAwait(false))
            {
                await presets.CreateManyAsync(DefaultPresets.For(appId, now), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
