using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Realtime;

public static class RealtimeFeature
{
    /// <summary>The meeting channel: a JSON WebSocket, one front end of the meeting rooms.</summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddApiJson(RealtimeRequestsJsonContext.Default);
        services.AddApiJson(RealtimeApiJsonContext.Default);
        services.AddSingleton<RealtimeServices>();
        services.AddSingleton<RealtimeLivestreams>();
        services.AddSingleton<IMeetingRequests, RealtimeMeetingRequests>();
        return services;
    }
}
