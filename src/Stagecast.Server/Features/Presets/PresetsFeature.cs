using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Presets;

public static class PresetsFeature
{
    public static IServiceCollection AddPresets(this IServiceCollection services)
    {
        services.AddApiJson(PresetsApiJsonContext.Default);
        services.AddSingleton<IPresetStore, SqlPresetStore>();
        services.AddSingleton<PresetService>();
        services.AddStartupTask<DefaultPresetsForApps>();
        services.AddSingleton<IAppObserver>(sp => sp.GetRequiredService<DefaultPresetsForApps>());
        return services;
    }
}
