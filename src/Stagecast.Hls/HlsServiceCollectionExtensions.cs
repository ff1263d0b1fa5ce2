using Microsoft.Extensions.DependencyInjection;
using Stagecast.Streaming;
using Stagecast.Streaming.Limits;

namespace Stagecast.Hls;

public static class HlsServiceCollectionExtensions
{
    public static IServiceCollection AddLowLatencyHls(this IServiceCollection services)
    {
        services.AddOptions<HlsOptions>().ValidateWith<HlsOptions, HlsOptionsValidator>().ValidateOnStart();
        services.AddSingleton<HlsStreamRegistry>();
        services.AddSingleton<HlsPackager>();
        services.AddSingleton<IHubStreamObserver>(sp => sp.GetRequiredService<HlsPackager>());
        return services;
    }
}
