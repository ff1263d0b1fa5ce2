using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Livestreams;

public static class LivestreamsFeature
{
    /// <summary>The livestream resource: its record, store and stream keys, the operations on it, who watches it, its renditions.</summary>
    public static IServiceCollection AddLivestreams(this IServiceCollection services, ServerOptions server)
    {
        services.AddApiJson(LivestreamsApiJsonContext.Default);
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<DataDirectoryLock>();
            return new StreamKeyProtector(StreamKeyProtector.LoadOrCreateMasterKey(sp.GetRequiredService<SecretStore>()));
        });
        services.AddSingleton<ILivestreamStore, SqlLivestreamStore>();
        services.AddSingleton<LivestreamService>();
        services.AddSingleton<IRenditionLadders, LivestreamLadders>();
        services.AddSingleton<LiveViewers>();
        services.AddFeatureMetrics<LivestreamMetrics>();
        return services;
    }
}
