using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Apps;

public static class AppsFeature
{
    public static IServiceCollection AddApps(this IServiceCollection services)
    {
        services.AddApiJson(AppsApiJsonContext.Default);
        services.AddSingleton<IAppStore, SqlAppStore>();
        services.AddSingleton<AppService>();
        services.AddSingleton<AppAccounts>();
        return services;
    }
}
