using Stagecast.Server.Hosting;
using Stagecast.Restream;

namespace Stagecast.Server.Features.Outputs;

public static class OutputsFeature
{
    /// <summary>Restream outputs of livestreams and the manager that runs their workers.</summary>
    public static IServiceCollection AddOutputs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RestreamOptions>().Bind(configuration.GetSection("Stagecast:Restream"));
        services.AddOptions<OutputDestinationOptions>().Bind(configuration.GetSection("Stagecast:Restream"));
        services.AddSingleton<OutputDestinations>();
        services.AddSingleton<IOutputStore, SqliteOutputStore>();
        services.AddSingleton<OutputManager>(); // joins the hub at start (it needs the hub, so it cannot be a constructor observer)
        services.AddFeatureMetrics<OutputMetrics>();
        return services;
    }
}
