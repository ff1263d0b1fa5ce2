using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.MeetingSockets;

public static class MeetingSocketsFeature
{
    /// <summary>The meeting sockets both front ends (the JSON channel, RealtimeKit's socket) are framing and dispatch on.</summary>
    public static IServiceCollection AddMeetingSockets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MeetingSocketOptions>().Bind(configuration.GetSection("Stagecast:Realtime"))
            .ValidateWith<MeetingSocketOptions, MeetingSocketOptionsValidator>().ValidateOnStart();
        services.AddSingleton<MeetingSocketService>();
        return services;
    }

    /// <summary>WebSockets with keep-alive pings: a client that stops answering is dropped within interval + timeout.</summary>
    public static WebApplication UseMeetingSockets(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MeetingSocketOptions>>().Value;
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = options.KeepAliveInterval, KeepAliveTimeout = options.KeepAliveTimeout });
        return app;
    }
}
