using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Participants;

namespace Stagecast.Server.Features.Realtime;

public static class RealtimeFeature
{
    /// <summary>The meeting channel: rooms, their sessions and the WebSocket endpoint.</summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RealtimeOptions>().Bind(configuration.GetSection("Stagecast:Realtime")).ValidateWith<RealtimeOptions, RealtimeOptionsValidator>().ValidateOnStart();
        services.AddSingleton<MeetingRooms>();
        services.AddSingleton<IMeetingObserver>(sp => sp.GetRequiredService<MeetingRooms>());
        services.AddSingleton<IParticipantObserver>(sp => sp.GetRequiredService<MeetingRooms>());
        services.AddSingleton<RealtimeServices>();
        services.AddSingleton<RealtimeLivestreams>();
        services.AddSingleton<IMeetingLivestreamListener>(sp => sp.GetRequiredService<RealtimeLivestreams>());
        services.AddHostedService<ViewerCountMonitor>();
        services.AddSingleton<RealtimeShutdown>();
        services.AddHostedService(sp => sp.GetRequiredService<RealtimeShutdown>());
        services.AddSingleton<IShutdownReport>(sp => sp.GetRequiredService<RealtimeShutdown>());
        services.AddSingleton<MeetingSessionFlushService>();
        services.AddHostedService(sp => sp.GetRequiredService<MeetingSessionFlushService>());
        return services;
    }

    /// <summary>The live side of meeting sessions on REST: kick, kick-all, polls (RealtimeKit's /active-session).</summary>
    public static RouteGroupBuilder MapActiveSessions(this RouteGroupBuilder api)
    {
        api.MapActiveSession();
        return api;
    }

    /// <summary>WebSockets with keep-alive pings: a client that stops answering is dropped within interval + timeout.</summary>
    public static WebApplication UseRealtime(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RealtimeOptions>>().Value;
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.KeepAliveInterval, KeepAliveTimeout = options.KeepAliveTimeout });
        return app;
    }
}
