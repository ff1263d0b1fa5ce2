using Stagecast.Hls;
using Stagecast.Hls.Serving;
using Stagecast.Restream;
using Stagecast.Rtmp.Server;
using Stagecast.Rtmp.Transport;
using Stagecast.Server.Accounts;
using Stagecast.Server.Api;
using Stagecast.Server.Hosting;
using Stagecast.Server.Livestreams;
using Stagecast.Server.Persistence;
using Stagecast.Server.Persistence.Sqlite;
using Stagecast.Server.Security;
using Stagecast.Streaming;

namespace Stagecast.Server;

/// <summary>Composes the server: configuration, services, listeners and endpoints. Program.cs and tests call it.</summary>
public static class StagecastApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        ServerConfiguration.AddSources(builder.Configuration, args);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        var configuration = builder.Configuration;
        var server = ServerConfiguration.ReadServerOptions(configuration);
        var services = builder.Services;
        services.AddOptions<ServerOptions>().Bind(configuration.GetSection(ServerOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StreamHubOptions>().Bind(configuration.GetSection("Stagecast:Hub"));
        services.AddOptions<HlsOptions>().Bind(configuration.GetSection("Stagecast:Hls"));
        services.AddOptions<SessionAccountingOptions>().Bind(configuration.GetSection("Stagecast:Sessions"));
        services.AddOptions<BootstrapOptions>().Bind(configuration.GetSection("Stagecast:Bootstrap"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ServerReadiness>();
        services.AddSingleton<ListeningEndpoints>();
        services.AddSingleton<PublicUrls>();

        // Persistence: the one seam (IStagecastStore), SQLite in the data directory.
        services.AddSingleton<IStagecastStore>(_ =>
        {
            Directory.CreateDirectory(server.DataDir);
            return new SqliteStore(server.DatabasePath);
        });
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<IStagecastStore>());
        services.AddSingleton<ILivestreamStore>(sp => sp.GetRequiredService<IStagecastStore>());
        services.AddSingleton<IOutputStore>(sp => sp.GetRequiredService<IStagecastStore>());
        services.AddSingleton(_ =>
        {
            Directory.CreateDirectory(server.DataDir);
            return new StreamKeyProtector(StreamKeyProtector.LoadOrCreateMasterKey(server.DataDir));
        });

        services.AddSingleton<AccountService>();
        services.AddSingleton(sp => new Bootstrap(
            sp.GetRequiredService<IStagecastStore>(), sp.GetRequiredService<AccountService>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<BootstrapOptions>>(), sp.GetRequiredService<PublicUrls>(),
            sp.GetRequiredService<IHostApplicationLifetime>(), Console.Out));
        services.AddSingleton<SessionRecovery>();

        // Media plane: the hub, RTMP ingest, LL-HLS output.
        services.AddSingleton<StreamHub>();
        services.AddSingleton<FailedPublishThrottle>();
        services.AddSingleton<IPublishAuthorizer, DatabasePublishAuthorizer>();
        services.AddRtmpServer(o => configuration.GetSection("Stagecast:Rtmp").Bind(o));
        services.AddLowLatencyHls();

        // Livestreams and their sessions.
        services.AddSingleton<SessionWriter>();
        services.AddSingleton<SessionRecorder>();
        services.AddSingleton<ILiveStreamObserver>(sp => sp.GetRequiredService<SessionRecorder>());
        services.AddSingleton<SessionViews>();
        services.AddSingleton<LivestreamService>();
        services.AddOptions<RestreamOptions>().Bind(configuration.GetSection("Stagecast:Restream"));
        services.AddSingleton<OutputManager>(); // joins the hub at start (it needs the hub, so it cannot be a constructor observer)
        services.AddStagecastApi(configuration.GetValue("Stagecast:Api:RequestsPerSecond", 100));

        // Hosted services start in this order (and stop in reverse): database first, listeners last.
        services.AddHostedService<DatabaseStartup>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionWriter>());
        services.AddHostedService<SessionFlushService>();
        services.AddHostedService<LifecycleService>();

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var endpoints = kestrel.ApplicationServices.GetRequiredService<ListeningEndpoints>();
            kestrel.Listen(server.BindAddress, server.HttpPort, listen => endpoints.Http = listen);
            kestrel.Listen(new EventLoopEndPoint(server.BindAddress, server.RtmpPort), listen =>
            {
                endpoints.Rtmp = listen;
                listen.UseRtmp();
            });
        });

        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapStagecastApi();
        app.MapHealth();
        app.MapMetrics();
        app.MapHlsPlayback();
        return app;
    }
}
