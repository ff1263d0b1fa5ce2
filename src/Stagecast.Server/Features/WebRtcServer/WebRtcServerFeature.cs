using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Limits;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whep;

namespace Stagecast.Server.Features.WebRtcServer;

public static class WebRtcServerFeature
{
    /// <summary>
    /// The WebRTC server, as MediaMTX's: one UDP port (and ICE-TCP) for every session, the ICE servers (TURN) clients are
    /// told of, and the livestreams' WHIP ingest and WHEP playback; MeetingMedia maps the meetings' WHIP and WHEP on it.
    /// </summary>
    public static IServiceCollection AddWebRtcServer(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebRtcOptions>().Bind(configuration.GetSection("Stagecast:WebRtc"))
            .PostConfigure<IOptions<ServerOptions>>((webRtc, server) => webRtc.Bind ??= WebRtcBindFor(server.Value.GetBindAddress()))
            .ValidateWith<WebRtcOptions, WebRtcOptionsValidator>().ValidateOnStart();
        services.AddOptions<TurnOptions>().Bind(configuration.GetSection(TurnOptions.Section)).ValidateWith<TurnOptions, TurnOptionsValidator>().ValidateOnStart();
        services.AddApiJson(WebRtcApiJsonContext.Default);
        services.AddSingleton<IceServers>();
        services.AddSingleton<WebRtcTransport>();
        services.AddHostedService(sp => sp.GetRequiredService<WebRtcTransport>());
        services.AddSingleton<OpusFeeds>();
        services.AddSingleton<HubVideoFanouts>();
        services.AddFeatureMetrics<WebRtcSessionMetrics>();
        services.AddCors(WebRtcHttp.AddCorsPolicy);
        services.AddCors(IceServersApi.AddCorsPolicy);
        return services;
    }

    /// <summary>Without --webrtc-bind, WebRTC binds where the other listeners do; an IPv6 --bind leaves it on every IPv4 address.</summary>
    private static string? WebRtcBindFor(System.Net.IPAddress bind) =>
        bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? bind.ToString() : null;

    public static IEndpointRouteBuilder MapWebRtcServer(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapWhip();
        endpoints.MapWhep();
        endpoints.MapIceServers();
        return endpoints;
    }
}
