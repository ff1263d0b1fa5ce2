using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.MeetingMedia;

public static class MeetingMediaFeature
{
    /// <summary>Media in meetings: participants publish and watch each other over WHIP and WHEP, forwarded as it came (an SFU).</summary>
    public static IServiceCollection AddMeetingMedia(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MeetingMediaOptions>().Bind(configuration.GetSection(MeetingMediaOptions.Section)).ValidateWith<MeetingMediaOptions, MeetingMediaOptionsValidator>().ValidateOnStart();
        services.AddSingleton<MeetingMediaHub>();
        services.AddSingleton<SqlMediaTrackStore>();
        services.AddSingleton<MeetingMediaStats>();
        services.AddSingleton<MeetingTransports>();
        services.AddSingleton<IMeetingSessionMediaStats>(sp => sp.GetRequiredService<MeetingMediaStats>());
        services.AddSingleton<MeetingMediaService>();
        services.AddSingleton<IRoomObserver>(sp => sp.GetRequiredService<MeetingMediaService>());
        services.AddSingleton<IPeerMediaControl>(sp => sp.GetRequiredService<MeetingMediaService>());
        services.AddHostedService(sp => sp.GetRequiredService<MeetingMediaService>());
        services.AddHostedService<EndMeetingStreamsAtShutdown>();
        return services;
    }

    /// <summary>
    /// Participants' tracks end when stopping begins (before their WebRTC sessions close), so a track going away at
    /// shutdown is not taken for a publisher that dropped and may come back within the republish window.
    /// </summary>
    private sealed class EndMeetingStreamsAtShutdown(IHostApplicationLifetime lifetime, MeetingMediaHub tracks) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStopping.Register(() => tracks.Hub.StopAll("server shutting down"));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
