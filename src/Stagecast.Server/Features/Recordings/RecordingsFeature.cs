using Stagecast.Streaming.Limits;
using Stagecast.Server.Features.Compositor;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Streaming;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Recordings;

public static class RecordingsFeature
{
    /// <summary>Recordings of meetings' programs (RealtimeKit's recordings API), stored in the data directory.</summary>
    public static IServiceCollection AddRecordings(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddApiJson(RecordingsApiJsonContext.Default);
        services.AddOptions<RecordingsOptions>().Bind(configuration.GetSection(RecordingsOptions.Section)).ValidateWith<RecordingsOptions, RecordingsOptionsValidator>().ValidateOnStart();
        services.AddSingleton<RecordingRetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<RecordingRetentionService>());
        services.AddSingleton<SqlRecordingStore>();
        services.AddSingleton<RecordingStorage>();
        services.AddSingleton<RecordingService>();
        services.AddSingleton<IMeetingSessionObserver>(sp => sp.GetRequiredService<RecordingService>());
        services.AddSingleton<ISessionRecordings>(sp => sp.GetRequiredService<RecordingService>());
        services.AddSingleton<LivestreamRecordings>();
        services.AddStartupTask<Recovery>();
        return services;
    }

    /// <summary>At start: recordings a stopped server left active are finished; the service follows the program hub.</summary>
    private sealed class Recovery(RecordingService recordings, MeetingPrograms programs, StreamHub hub, LivestreamRecordings livestreams) : IStartupTask
    {
        public async Task RunAsync(CancellationToken cancellationToken)
        {
            await recordings.RecoverAsync(cancellationToken).ConfigureAwait(false);
            programs.ProgramHub.AddObserver(recordings);
            hub.AddObserver(livestreams);
        }
    }

    /// <summary>Livestreams whose recording mode is automatic: each session (a stream, reconnects included) is one recording.</summary>
    private sealed class LivestreamRecordings(ILivestreamStore store, SessionRecorder sessions, RecordingService recordings, ILogger<LivestreamRecordings> logger)
        : ILiveStreamObserver
    {
        /// <summary>
        /// A reader is added at once, before the first frame, and kept while the livestream is looked up: a recording
        /// that starts has the stream from its first keyframe however long the lookup took (otherwise a GOP or more is lost).
        /// </summary>
        public void OnStreamStarted(LiveStream stream) => _ = StartAsync(stream, StreamRecorder.AddReader(stream));

        public void OnStreamEnded(LiveStream stream) => _ = recordings.StopLivestreamAsync(stream.Id);

        private async Task StartAsync(LiveStream stream, LiveStreamReader reader)
        {
            try
            {
                if (await store.FindLivestreamAsync(stream.Id, CancellationToken.None).ConfigureAwait(false) is { RecordingMode: Livestream.RecordingAutomatic } livestream)
                {
                    await recordings.StartLivestreamAsync(livestream, sessions.FindActive(stream.Id)?.SessionId, stream, reader).ConfigureAwait(false);
                    return;
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or System.Data.Common.DbException)
            {
                logger.LogError(ex, "Recording livestream {LivestreamId} could not start", stream.Id);
            }

            reader.Dispose();
        }
    }
}
