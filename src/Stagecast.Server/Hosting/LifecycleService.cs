namespace Stagecast.Server.Hosting;

/// <summary>
/// Marks the server ready once every listener is bound, and says so in the log (with the dashboard's address, on every
/// start); says what is in progress when it starts to shut down, and when it has stopped.
/// </summary>
public sealed partial class LifecycleService(
    IHostApplicationLifetime lifetime,
    ServerReadiness readiness,
    ListeningEndpoints endpoints,
    PublicUrls urls,
    IEnumerable<IShutdownReport> reports,
    RestKeeper rest,
    ILogger<LifecycleService> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
        {
            readiness.MarkReady();
            Log.Listening(logger, endpoints.HttpEndPoint.ToString(), endpoints.HttpsEndPoint is { } https ? $", HTTPS on {https}" : "",
                endpoints.RtmpsEndPoint is { } rtmps ? $"{endpoints.RtmpEndPoint}, RTMPS on {rtmps}" : endpoints.RtmpEndPoint.ToString(), endpoints.MetricsEndPoint?.ToString() ?? "off");
            Log.Dashboard(logger, $"{urls.HttpBase}/dashboard");
            // Registered last, so it runs first when stopping begins (the lifetime's callbacks run newest first): it
            // tells what is in progress before the features end it.
            lifetime.ApplicationStopping.Register(() =>
            {
                var work = reports.Select(r => r.InProgress()).OfType<string>().ToList();
                Log.ShuttingDown(logger, work.Count == 0 ? "nothing was in progress" : $"ending {string.Join(", ", work)}");
            });
            // Start-up allocates about 20 MB that it drops (configuration, services, routes, JSON metadata); the GC would
            // keep those pages committed until load came. Collected once here and given back: the release binary
            // idles at about 66 MB instead of 80 (bench/README.md, "Idle and startup"). Then the pages of the
            // server's files that start-up read (36 MiB of the release binary's).
            rest.GiveBack();
        });
        lifetime.ApplicationStopped.Register(() => Log.Stopped(logger));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Stagecast is listening: HTTP on {Http}{Https}, RTMP on {Rtmp}, metrics on {Metrics}")]
        public static partial void Listening(ILogger logger, string http, string https, string rtmp, string metrics);

        [LoggerMessage(2, LogLevel.Information, "Dashboard: {Url} (sign in with an API token)")]
        public static partial void Dashboard(ILogger logger, string url);

        [LoggerMessage(4, LogLevel.Information, "Stagecast is shutting down: {Work}")]
        public static partial void ShuttingDown(ILogger logger, string work);

        [LoggerMessage(3, LogLevel.Information, "Stagecast stopped")]
        public static partial void Stopped(ILogger logger);
    }
}
