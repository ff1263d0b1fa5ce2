using Stagecast.Compositor;
using Stagecast.Compositor.Video;
using Stagecast.FfmpegProcesses;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Programs;

public static class ProgramsFeature
{
    /// <summary>Meeting programs: the participants composited into one picture and one mix, for livestreams, room streams and recordings.</summary>
    public static IServiceCollection AddPrograms(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CompositorOptions>().Bind(configuration.GetSection(CompositorOptions.Section)).ValidateWith<CompositorOptions, CompositorOptionsValidator>().ValidateOnStart();
        services.AddSingleton(sp => new NameLabels(sp.GetRequiredService<FfmpegLauncher>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<NameLabels>>()));
        services.AddSingleton<ProgramQuota>();
        services.AddSingleton<MeetingPrograms>();
        services.AddSingleton<IMeetingLivestreamListener>(sp => sp.GetRequiredService<MeetingPrograms>());
        services.AddSingleton<IMeetingLivestreamPrograms>(sp => sp.GetRequiredService<MeetingPrograms>());
        services.AddSingleton<Rooms.IRoomObserver>(sp => sp.GetRequiredService<MeetingPrograms>());
        return services;
    }
}
