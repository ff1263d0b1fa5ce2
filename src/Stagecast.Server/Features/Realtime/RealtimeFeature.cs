using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Realtime;

public static class RealtimeFeature
{
    /// <summary>The meeting channel: a JSON WebSocket, one front end of the meeting rooms.</summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RealtimeOptions>().Bind(configuration.GetSection("Stagecast:Realtime")).ValidateWith<RealtimeOptions, RealtimeOptionsValidator>().ValidateOnStart();
        services.AddApiJson(RealtimeRequestsJsonContext.Default);
        services.AddSingleton<RealtimeServices>();
        services.AddSingleton<RealtimeLivestreams>();
        services.AddSingleton<IMeetingRequests, RealtimeMeetingRequests>();
        return services;
    }

    /// <summary>WebSockets with keep-alive pings: a client that stops answering is dropped within interval + timeout.</summary>
    public static WebApplication UseRealtime(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RealtimeOptions>>().Value;
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.KeepAliveInterval, KeepAliveTimeout = options.KeepAliveTimeout });
        return app;
    }
}
