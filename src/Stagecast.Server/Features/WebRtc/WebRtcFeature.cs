using Stagecast.Streaming.Limits;
using Stagecast.Server.Hosting;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Features.WebRtc;

public static class WebRtcFeature
{
    /// <summary>The WebRTC media plane: one UDP port for every session, WHIP ingest and WHEP playback.</summary>
    public static IServiceCollection AddWebRtc(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebRtcOptions>().Bind(configuration.GetSection("Stagecast:WebRtc")).ValidateWith<WebRtcOptions, WebRtcOptionsValidator>().ValidateOnStart();
        services.AddSingleton<WebRtcTransport>();
        services.AddHostedService(sp => sp.GetRequiredService<WebRtcTransport>());
        services.AddSingleton<Stagecast.WebRtc.Whep.OpusFeeds>();
        services.AddSingleton<Stagecast.WebRtc.Whep.HubVideoFanouts>();
        services.AddFeatureMetrics<WebRtcSessionMetrics>();
        services.AddCors(WebRtcHttp.AddCorsPolicy);
        return services;
    }

    public static IEndpointRouteBuilder MapWebRtc(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapWhip();
        endpoints.MapWhep();
        return endpoints;
    }
}
