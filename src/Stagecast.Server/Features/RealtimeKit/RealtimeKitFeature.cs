using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.RealtimeKit;

public static class RealtimeKitFeature
{
    /// <summary>
    /// A front end for apps built on RealtimeKit's own web SDK and UI kit: their REST calls and socket, on the hosts
    /// their <c>baseURI</c> names (docs/realtimekit.md).
    /// </summary>
    public static IServiceCollection AddRealtimeKit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RealtimeKitOptions>().Bind(configuration.GetSection("Stagecast:RealtimeKit"))
            .ValidateWith<RealtimeKitOptions, RealtimeKitOptionsValidator>().ValidateOnStart();
        services.AddSingleton<RealtimeKitHosts>();
        services.AddApiJson(RealtimeKitApiJsonContext.Default);
        services.AddCors(ParticipantApi.AddCorsPolicy);
        services.AddSingleton<Socket.RealtimeKitPeers>();
        services.AddSingleton<Rooms.IRoomObserver>(provider => provider.GetRequiredService<Socket.RealtimeKitPeers>());
        services.AddSingleton<Socket.RealtimeKitMediaServices>();
        services.AddSingleton<Socket.RealtimeKitServices>();
        services.AddSingleton<Cluster.IMeetingRequests, RealtimeKitMeetingRequests>();
        return services;
    }
}
