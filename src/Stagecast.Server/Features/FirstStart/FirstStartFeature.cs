using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.FirstStart;

public static class FirstStartFeature
{
    /// <summary>The first start's account, app and token (printed once), and the operator commands on a data directory.</summary>
    public static IServiceCollection AddFirstStart(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BootstrapOptions>().Bind(configuration.GetSection("Stagecast:Bootstrap"));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<Bootstrap>(sp, Console.Out));
        services.AddSingleton<IStartupTask>(sp => sp.GetRequiredService<Bootstrap>());
        return services;
    }
}
