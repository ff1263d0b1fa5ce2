using System.Net.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using Stagecast.FfmpegProcesses;
using Stagecast.Hls.Serving;
using Stagecast.Rtmp.Server;
using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Features.Analytics;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.FirstStart;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Features.MediaPlane;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.MeetingSockets;
using Stagecast.Server.Features.Outputs;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Plugins;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Programs;
using Stagecast.Server.Features.Realtime;
using Stagecast.Server.Features.RealtimeKit;
using Stagecast.Server.Features.RealtimeKit.Socket;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Features.Rooms.Api;
using Stagecast.Server.Features.RoomStreams;
using Stagecast.Server.Features.Srt;
using Stagecast.Server.Features.Thumbnails;
using Stagecast.Server.Features.Transcoding;
using Stagecast.Server.Features.Transcription;
using Stagecast.Server.Features.Web;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Features.WebRtcServer;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Metrics;
using Stagecast.Server.Hosting.Security;
using Stagecast.Server.Hosting.Tls;
using Stagecast.Transport.Epoll;

namespace Stagecast.Server;

/// <summary>Composes the server from its features: configuration, services, listeners and endpoints. Program.cs and tests call it.</summary>
public static class StagecastApp
{
    /// <summary>Builds the server from a command line of settings (flags, <c>--set</c>); a wrong one throws <see cref="StartupException"/>.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        Build(CommandLine.ServerValues(args), configure);

    public static WebApplication Build(Dictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings are read once at start, so appsettings.json is not watched: a watcher is a thread that wakes on
        // every change in the working directory, with nothing to do.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        ServerConfiguration.AddSources(builder.Configuration, settings);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        // A start that fails (a port in use) is reported by Program as one line, not logged with its stack trace here;
        // a background service that crashes is still logged, at Critical, with its exception.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.KeepQueryStringsOut();

        var configuration = builder.Configuration;
        var server = ServerConfiguration.ReadServerOptions(configuration);
        var services = builder.Services;
        services.AddSingleton(DataDirectorySnapshot.Take(server.DataDir)); // before anything below opens the directory
        services.AddHosting(configuration, server);
        services.AddStagecastApi(configuration);
        // Features, lower ones first: each registers its own services, instruments and start-up work, and uses only
        // Hosting and the features added before it (FeatureOrderTests checks it).
        services.AddCluster(configuration, server);
        services.AddAccounts(configuration);
        services.AddApps();
        services.AddPresets();
        services.AddPlugins();
        services.AddWebhooks(configuration, server);
        services.AddMeetings();
        services.AddParticipants(configuration, server);
        services.AddMeetingSockets(configuration);
        services.AddMeetingSessions(configuration, server);
        services.AddSrt(configuration); // before Livestreams, which show each one's srt_url
        services.AddLivestreams(server);
        services.AddLivestreamSessions(configuration);
        services.AddMeetingLivestreams();
        services.AddMediaPlane(configuration);
        services.AddRooms(configuration);
        services.AddOutputs(configuration);
        services.AddAnalytics();
        services.AddFfmpeg(configuration[FfmpegOptions.Key]);
        services.AddTranscoding(configuration);
        services.AddWebRtcServer(configuration);
        services.AddMeetingMedia(configuration);
        services.AddPrograms(configuration);
        services.AddRoomStreams(configuration);
        services.AddRecordings(configuration);
        services.AddTranscription(configuration);
        services.AddRealtime();
        services.AddRealtimeKit(configuration);
        services.AddThumbnails(configuration);
        services.AddWebPages();
        services.AddFirstStart(configuration);
        // Authentication brings ASP.NET's data protection, whose hosted service makes a key ring (XML files under
        // ~/.aspnet) at start. Nothing here encrypts with it (API and participant tokens are bearer tokens), so it
        // is not started: no key files, no XML stack loaded.
        foreach (var dataProtection in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.Name == "DataProtectionHostedService").ToList())
        {
            services.Remove(dataProtection);
        }

        // Hosted services start in this order (and stop in reverse): database first, listeners last.
        services.AddSingleton<RestKeeper>();
        services.AddHostedService<LifecycleService>();
        services.AddPrometheusMetrics();

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            HttpErrors.ConfigureLimits(kestrel, kestrel.ApplicationServices.GetRequiredService<IOptions<HttpConnectionOptions>>().Value);
            var endpoints = kestrel.ApplicationServices.GetRequiredService<ListeningEndpoints>();
            var httpLimits = kestrel.ApplicationServices.GetRequiredService<HttpConnectionLimits>();
            var rejections = new KestrelRejections(kestrel.Limits.RequestHeadersTimeout);
            var requests = kestrel.ApplicationServices.GetRequiredService<HostMetrics>().HttpRequests;
            kestrel.Listen(new EventLoopEndPoint(server.GetBindAddress(), server.HttpPort, EventLoopTraffic.Requests), listen =>
            {
                endpoints.Http = listen;
                listen.Use(httpLimits.Middleware);
                listen.Use(rejections.Middleware);
                listen.UsePlaybackConnections(kestrel.Limits.KeepAliveTimeout, (route, status) =>
                    requests.Add(1, new KeyValuePair<string, object?>("route", route.RoutePattern.RawText), new KeyValuePair<string, object?>("status", status)));
            });
            var https = kestrel.ApplicationServices.GetRequiredService<IOptions<HttpsOptions>>().Value;
            if (https.Enabled)
            {
                var certificate = kestrel.ApplicationServices.GetRequiredService<ServerCertificate>();
                kestrel.Listen(server.GetBindAddress(), https.GetPort(), listen =>
                {
                    endpoints.Https = listen;
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.Use(httpLimits.Middleware);
                    listen.Use(rejections.Middleware);
                    listen.UseHttps(certificate.Handshake(kestrel.Limits.RequestHeadersTimeout, SslApplicationProtocol.Http2, SslApplicationProtocol.Http11));
                });

                // RTMPS on Kestrel's own sockets: TLS is the cost there, and plain RTMP keeps the epoll transport.
                var rtmpSetup = kestrel.ApplicationServices.GetRequiredService<IOptions<Stagecast.Rtmp.Sessions.RtmpServerOptions>>().Value.SetupDeadline;
                kestrel.Listen(server.GetBindAddress(), server.RtmpsPort ?? 1936, listen =>
                {
                    endpoints.Rtmps = listen;
                    listen.UseRtmps(certificate.Handshake(rtmpSetup));
                });
            }

            kestrel.Listen(new EventLoopEndPoint(server.GetBindAddress(), server.RtmpPort), listen =>
            {
                endpoints.Rtmp = listen;
                listen.UseRtmp();
            });
            if (server.GetMetricsEndPoint() is { } metrics)
            {
                kestrel.Listen(metrics, listen =>
                {
                    endpoints.Metrics = listen;
                    listen.Use(MetricsEndpoints.MarkConnections);
                });
            }
        });

        configure?.Invoke(builder);
        SlowStops.TimeHostedServices(services);

        var app = builder.Build();
        app.UseTrustedProxies(server);

        // Before the redirect: Prometheus scrapes the metrics listener over plain HTTP, and HTTPS has no /metrics.
        app.UseMetricsListener();
        app.UseRestKeeper();
        app.UseHttpsRedirect();
        KestrelRejections.MarkRequests(app);
        app.UseHttpMetrics();
        app.UseRealtimeKitTelemetrySink();
        app.UseCluster();
        app.MapClusterNodes();
        app.UseHlsPlayback();
        app.UseMeetingSockets();
        app.UseStagecastApi();
        app.MapAccountApi(api => api.MapApps());
        app.MapAppApi(api =>
        {
            api.MapLivestreams();
            api.MapLivestreamSessions();
            api.MapMeetingLivestreams();
            api.MapOutputs();
            api.MapRoomStreams();
            api.MapRecordings();
            api.MapAnalytics();
            api.MapPresets();
            api.MapPlugins();
            api.MapMeetings();
            api.MapParticipants();
            api.MapMeetingSessions();
            api.MapTranscripts();
            api.MapActiveSessions();
            api.MapWebhooks();
        });
        app.MapWebhookPublicKey();
        app.MapRealtime();
        app.MapRealtimeKitApi();
        app.MapRealtimeKitSocket();
        app.MapChatDownload();
        app.MapTranscriptDownload();
        app.MapChatFiles();
        app.MapRecordingDownload();
        app.MapHealth();
        app.MapWebRtcServer();
        app.MapMeetingMedia();
        app.MapThumbnails();
        app.MapWebPages();
        return app;
    }
}
