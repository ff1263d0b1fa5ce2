using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Programs;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Recordings;

public static class RecordingsFeature
{
    /// <summary>
    /// Recordings of meetings' programs, of livestream sessions and of meetings' tracks (RealtimeKit's recordings API),
    /// stored in the data directory or uploaded to S3.
    /// </summary>
    public static IServiceCollection AddRecordings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddApiJson(RecordingsApiJsonContext.Default);
        services.AddOptions<RecordingsOptions>().Bind(configuration.GetSection(RecordingsOptions.Section)).ValidateWith<RecordingsOptions, RecordingsOptionsValidator>().ValidateOnStart();
        services.AddSingleton<RecordingRetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RecordingRetentionService>());
        services.AddSingleton<SqlRecordingStore>();
        services.AddSingleton<RecordingStorage>();
        services.AddSingleton<RecordingService>();
        services.AddSingleton<RecordingViews>();
        services.AddSingleton<ILivestreamSessionRecordings>(sp => sp.GetRequiredService<RecordingViews>());
        services.AddSingleton<ProgramRecordings>();
        services.AddSingleton<LivestreamRecordings>();
        services.AddSingleton<TrackRecordings>();
        services.AddSingleton<IMeetingSessionObserver, MeetingSessionRecordings>();
        services.AddStartupTask<Recovery>();
        return services;
    }

    /// <summary>At start: recordings a stopped server left active are finished; program and livestream recordings follow their hubs.</summary>
    private sealed class Recovery(RecordingService recordings, MeetingPrograms programs, ProgramRecordings programRecordings, StreamHub hub,
        LivestreamRecordings livestreams) : IStartupTask
    {
        public async Task RunAsync(CancellationToken cancellationToken)
        {
            await recordings.RecoverAsync(cancellationToken).ConfigureAwait(false);
            programs.ProgramHub.AddObserver(programRecordings);
            hub.AddObserver(livestreams);
        }
    }

    /// <summary>A meeting session that starts records its program if the meeting says so; one that ends stops its recordings (<c>ALL_PEERS_LEFT</c>).</summary>
    private sealed class MeetingSessionRecordings(ProgramRecordings programs, RecordingService recordings) : IMeetingSessionObserver
    {
        public Task OnSessionStartedAsync(Meeting meeting, string sessionId) => programs.RecordOnStartAsync(meeting);

        public Task OnSessionEndedAsync(Meeting meeting, string sessionId) => recordings.StopSessionAsync(sessionId);
    }
}
