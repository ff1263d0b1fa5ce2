using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Stagecast.Streaming;
using Stagecast.Streaming.Limits;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Hls;

public static class HlsServiceCollectionExtensions
{
    public static IServiceCollection AddLowLatencyHls(this IServiceCollection services)
    {
        services.AddOptions<HlsOptions>().ValidateWith<HlsOptions, HlsOptionsValidator>().ValidateOnStart();
        services.AddSingleton<HlsStreamRegistry>();
        services.AddSingleton<HlsPackager>();
        services.AddSingleton<IHubStreamObserver>(sp => sp.GetRequiredService<HlsPackager>());
        services.TryAddSingleton<RenditionHub>();
        services.AddSingleton<IRenditionObserver, RenditionPackaging>();
        return services;
    }
}
