namespace Stagecast.Server.Features.Presets;

public static class PresetsFeature
{
    public static IServiceCollection AddPresets(this IServiceCollection services)
    {
        services.AddSingleton<IPresetStore, SqlitePresetStore>();
        services.AddSingleton<PresetService>();
        return services;
    }
}
