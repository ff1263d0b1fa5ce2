using Stagecast.Server.Features.Compositor;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Recordings;

public static class RecordingsFeature
{
    /// <summary>Recordings of meetings' programs (RealtimeKit's recordings API), stored in the data directory.</summary>
    public static IServiceCollection AddRecordings(this IServiceCollection services)
    {
        services.AddSingleton<SqliteRecordingStore>();
        services.AddSingleton<RecordingService>();
        services.AddSingleton<IMeetingSessionObserver>(sp => sp.GetRequiredService<RecordingService>());
        services.AddStartupTask<Recovery>();
        return services;
    }

    /// <summary>At start: recordings a stopped server left active are finished; the service follows the program hub.</summary>
    private sealed class Recovery(RecordingService recordings, MeetingPrograms programs) : IStartupTask
    {
        public async Task RunAsync(CancellationToken cancellationToken)
        {
            await recordings.RecoverAsync(cancellationToken).ConfigureAwait(false);
            programs.ProgramHub.AddObserver(recordings);
        }
    }
}
