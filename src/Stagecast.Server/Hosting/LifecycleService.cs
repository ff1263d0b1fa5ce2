using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Outputs;
using Stagecast.Streaming;

namespace Stagecast.Server.Hosting;

/// <summary>
/// Attaches the services that observe the hub but also use it, marks the server ready once every listener is
/// bound, and ends all streams cleanly on shutdown.
/// </summary>
public sealed partial class LifecycleService(
    IHostApplicationLifetime lifetime,
    ServerReadiness readiness,
    ListeningEndpoints endpoints,
    StreamHub hub,
    OutputManager outputs,
    MeetingLivestreamService meetingLivestreams,
    ILogger<LifecycleService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        hub.AddObserver(outputs);
        hub.AddObserver(meetingLivestreams);
        lifetime.ApplicationStarted.Register(() =>
        {
            readiness.MarkReady();
            Log.Listening(logger, endpoints.HttpEndPoint.ToString(), endpoints.RtmpEndPoint.ToString(), endpoints.MetricsEndPoint?.ToString() ?? "off");
        });
        // Ending every stream also ends its HLS playlist, which releases blocking requests.
        lifetime.ApplicationStopping.Register(() =>
        {
            Log.ShuttingDown(logger, hub.Streams.Count);
            hub.StopAll("server shutting down");
        });
        lifetime.ApplicationStopped.Register(() => Log.Stopped(logger));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Stagecast is listening: HTTP on {Http}, RTMP on {Rtmp}, metrics on {Metrics}")]
        public static partial void Listening(ILogger logger, string http, string rtmp, string metrics);

        [LoggerMessage(2, LogLevel.Information, "Stagecast is shutting down: ending {Streams} live stream(s)")]
        public static partial void ShuttingDown(ILogger logger, int streams);

        [LoggerMessage(3, LogLevel.Information, "Stagecast stopped")]
        public static partial void Stopped(ILogger logger);
    }
}
