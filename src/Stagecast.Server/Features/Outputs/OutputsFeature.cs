using Stagecast.Restream;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Outputs;

public static class OutputsFeature
{
    /// <summary>Restream outputs of livestreams and the manager that runs their workers.</summary>
    public static IServiceCollection AddOutputs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddApiJson(OutputsApiJsonContext.Default);
        services.AddOptions<RestreamOptions>().Bind(configuration.GetSection("Stagecast:Restream")).ValidateWith<RestreamOptions, RestreamOptionsValidator>().ValidateOnStart();
        services.AddOptions<OutputDestinationOptions>().Bind(configuration.GetSection("Stagecast:Restream"));
        services.AddSingleton<OutputDestinations>();
        services.AddSingleton<IOutputStore, SqlOutputStore>();
        services.AddSingleton<OutputManager>();
        services.AddStartupTask<JoinHub>();
        services.AddFeatureMetrics<OutputMetrics>();
        return services;
    }

    /// <summary>The manager follows the hub's streams; it needs the hub, so it joins at start rather than as a constructor observer.</summary>
    private sealed class JoinHub(Stagecast.Streaming.StreamHub hub, OutputManager outputs) : IStartupTask
    {
        public Task RunAsync(CancellationToken cancellationToken)
        {
            hub.AddObserver(outputs);
            return Task.CompletedTask;
        }
    }
}
