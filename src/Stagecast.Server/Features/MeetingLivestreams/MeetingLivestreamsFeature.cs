using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.MeetingLivestreams;

public static class MeetingLivestreamsFeature
{
    /// <summary>Livestreams of meetings (L6-L10): started by the API or a participant, stopped with their meeting session.</summary>
    public static IServiceCollection AddMeetingLivestreams(this IServiceCollection services)
    {
        services.AddApiJson(MeetingLivestreamsApiJsonContext.Default);
        services.AddSingleton<MeetingLivestreamRegistry>();
        services.AddSingleton<IPendingLivestreamSessions>(sp => sp.GetRequiredService<MeetingLivestreamRegistry>());
        services.AddSingleton<MeetingLivestreamService>();
        services.AddSingleton<IMeetingSessionObserver>(sp => sp.GetRequiredService<MeetingLivestreamService>());
        services.AddStartupTask<JoinHub>();
        return services;
    }

    /// <summary>The service follows the hub's streams; it needs the hub, so it joins at start rather than as a constructor observer.</summary>
    private sealed class JoinHub(StreamHub hub, MeetingLivestreamService livestreams) : IStartupTask
    {
        public Task RunAsync(CancellationToken cancellationToken)
        {
            hub.AddObserver(livestreams);
            return Task.CompletedTask;
        }
    }
}
