using Stagecast.Hls;
using Stagecast.Rtmp.Server;
using Stagecast.Server.Hosting;
using Stagecast.Streaming;
using Stagecast.Streaming.Limits;
using Stagecast.Transport.Epoll;

namespace Stagecast.Server.Features.MediaPlane;

public static partial class MediaPlaneFeature
{
    /// <summary>
    /// The media plane as the server composes it: the stream hub, RTMP ingest authorised by livestreams' keys, LL-HLS
    /// output, the operator's log of broadcasts; at shutdown every stream ends first.
    /// </summary>
    public static IServiceCollection AddMediaPlane(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StreamHubOptions>().Bind(configuration.GetSection("Stagecast:Hub")).ValidateWith<StreamHubOptions, StreamHubOptionsValidator>().ValidateOnStart();
        services.AddOptions<HlsOptions>().Bind(configuration.GetSection("Stagecast:Hls")); // validated by AddLowLatencyHls
        services.AddSingleton<StreamHub>();
        services.AddKeyedSingleton<FailedAttemptThrottle>(FailedAttemptThrottle.StreamKeys);
        services.AddSingleton<CaptionRequests>();
        services.AddSingleton<IPublishAuthorizer, DatabasePublishAuthorizer>();
        services.AddRtmpServer(o => configuration.GetSection("Stagecast:Rtmp").Bind(o));
        services.AddEventLoopTransport(o => configuration.GetSection("Stagecast:Rtmp").Bind(o)); // RTMP listens on it (StagecastApp)
        services.AddLowLatencyHls();
        services.AddSingleton<IHubStreamObserver, PublishLog>();
        services.AddSingleton<EndStreamsAtShutdown>();
        services.AddHostedService(sp => sp.GetRequiredService<EndStreamsAtShutdown>());
        services.AddSingleton<IShutdownReport>(sp => sp.GetRequiredService<EndStreamsAtShutdown>());
        return services;
    }

    /// <summary>Ending every stream also ends its HLS playlist (releasing blocking requests) and its session, before the host stops.</summary>
    private sealed class EndStreamsAtShutdown(IHostApplicationLifetime lifetime, StreamHub hub) : IHostedService, IShutdownReport
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStopping.Register(() => hub.StopAll("server shutting down"));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public string? InProgress() => hub.Streams.Count switch
        {
            0 => null,
            1 => "1 live stream",
            var n => $"{n} live streams",
        };
    }
}
