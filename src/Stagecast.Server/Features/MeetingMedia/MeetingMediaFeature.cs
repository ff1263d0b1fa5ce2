using Stagecast.Server.Hosting;
using Stagecast.Streaming.Limits;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Realtime;

namespace Stagecast.Server.Features.MeetingMedia;

public static class MeetingMediaFeature
{
    /// <summary>Media in meetings: participants publish and watch each other over WHIP and WHEP, forwarded as it came (an SFU).</summary>
    public static IServiceCollection AddMeetingMedia(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MeetingMediaOptions>().Bind(configuration.GetSection(MeetingMediaOptions.Section)).ValidateWith<MeetingMediaOptions, MeetingMediaOptionsValidator>().ValidateOnStart();
        services.AddSingleton<MeetingTracks>();
        services.AddSingleton<SqlMediaTrackStore>();
        services.AddSingleton<MeetingMediaStats>();
        services.AddSingleton<ISessionMediaStats>(sp => sp.GetRequiredService<MeetingMediaStats>());
        services.AddSingleton<MeetingMediaService>();
        services.AddSingleton<IRoomPeerObserver>(sp => sp.GetRequiredService<MeetingMediaService>());
        services.AddSingleton<IPeerMediaControl>(sp => sp.GetRequiredService<MeetingMediaService>());
        services.AddHostedService(sp => sp.GetRequiredService<MeetingMediaService>());
        return services;
    }
}
