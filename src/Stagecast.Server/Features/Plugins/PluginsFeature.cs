using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Plugins;

public static class PluginsFeature
{
    public static IServiceCollection AddPlugins(this IServiceCollection services)
    {
        services.AddApiJson(PluginsApiJsonContext.Default);
        services.AddSingleton<IPluginStore, SqlPluginStore>();
        services.AddSingleton<PluginService>();
        return services;
    }
}
