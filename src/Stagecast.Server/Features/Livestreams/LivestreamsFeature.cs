using Stagecast.Hls;
using Stagecast.Rtmp.Server;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Livestreams;

public static class LivestreamsFeature
{
    /// <summary>
    /// Livestreams and their sessions, with the media plane they drive: the stream hub, RTMP ingest authorised by
    /// stream keys, LL-HLS output, and the recorder that turns streams into sessions.
    /// </summary>
    public static IServiceCollection AddLivestreams(this IServiceCollection services, IConfiguration configuration, ServerOptions server)
    {
        services.AddOptions<StreamHubOptions>().Bind(configuration.GetSection("Stagecast:Hub"));
        services.AddOptions<HlsOptions>().Bind(configuration.GetSection("Stagecast:Hls"));
        services.AddOptions<SessionAccountingOptions>().Bind(configuration.GetSection("Stagecast:Sessions"));
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<DataDirectoryLock>();
            return new StreamKeyProtector(StreamKeyProtector.LoadOrCreateMasterKey(server.DataDir));
        });

        services.AddSingleton<ILivestreamStore, SqliteLivestreamStore>();
        services.AddSingleton<StreamHub>();
        services.AddKeyedSingleton<FailedAttemptThrottle>(FailedAttemptThrottle.StreamKeys);
        services.AddSingleton<IPublishAuthorizer, DatabasePublishAuthorizer>();
        services.AddRtmpServer(o => configuration.GetSection("Stagecast:Rtmp").Bind(o));
        services.AddLowLatencyHls();

        services.AddSingleton<SessionWriter>();
        services.AddSingleton<SessionRecorder>();
        services.AddSingleton<ILiveStreamObserver>(sp => sp.GetRequiredService<SessionRecorder>());
        services.AddSingleton<ILiveStreamObserver, PublishLog>();
        services.AddSingleton<SessionViews>();
        services.AddSingleton<LiveViewers>();
        services.AddFeatureMetrics<LivestreamMetrics>();
        services.AddSingleton<SessionRecovery>();
        services.AddSingleton<LivestreamService>();
        services.AddSingleton<MeetingLivestreamRegistry>();
        services.AddSingleton<MeetingLivestreamService>(); // joins the hub at start, like the outputs
        services.AddSingleton<Sessions.IMeetingSessionObserver>(sp => sp.GetRequiredService<MeetingLivestreamService>());
        services.AddHostedService(sp => sp.GetRequiredService<SessionWriter>());
        services.AddHostedService<SessionFlushService>();
        return services;
    }

    public static RouteGroupBuilder MapLivestreamApis(this RouteGroupBuilder api)
    {
        api.MapLivestreams();
        api.MapMeetingLivestreams();
        return api;
    }
}
