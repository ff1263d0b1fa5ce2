using Stagecast.Hls;
using Stagecast.Hls.Serving;
using Stagecast.Rtmp.Server;
using Stagecast.Server.Hosting;
using Stagecast.Server.Ingest;
using Stagecast.Streaming;

namespace Stagecast.Server;

/// <summary>Composes the server: configuration, services, listeners and endpoints. Program.cs and tests call it.</summary>
public static class StagecastApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        builder.Configuration
            .AddInMemoryCollection(CommandLine.FromEnvironment(Environment.GetEnvironmentVariable))
            .AddCommandLine(args, CommandLine.SwitchMappings());
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);

        var services = builder.Services;
        services.AddOptions<ServerOptions>().Bind(builder.Configuration.GetSection(ServerOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StreamHubOptions>().Bind(builder.Configuration.GetSection("Stagecast:Hub"));
        services.AddOptions<HlsOptions>().Bind(builder.Configuration.GetSection("Stagecast:Hls"));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ServerReadiness>();
        services.AddSingleton<ListeningEndpoints>();
        services.AddSingleton<StreamHub>();
        services.AddSingleton<IPublishAuthorizer, DemoPublishAuthorizer>();
        services.AddRtmpServer(o => builder.Configuration.GetSection("Stagecast:Rtmp").Bind(o));
        services.AddLowLatencyHls();
        services.AddHostedService<LifecycleService>();

        var server = ReadServerOptions(builder.Configuration);
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var endpoints = kestrel.ApplicationServices.GetRequiredService<ListeningEndpoints>();
            var address = server.BindAddress;
            kestrel.Listen(address, server.HttpPort, listen => endpoints.Http = listen);
            kestrel.Listen(address, server.RtmpPort, listen =>
            {
                endpoints.Rtmp = listen;
                listen.UseRtmp();
            });
        });

        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapHealth();
        app.MapHlsPlayback();
        return app;
    }

    /// <summary>Listener settings are needed before the host exists, so they are validated here, up front.</summary>
    private static ServerOptions ReadServerOptions(IConfiguration configuration)
    {
        ServerOptions server;
        try
        {
            server = configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new StartupException($"invalid setting: {ex.InnerException?.Message ?? ex.Message}");
        }

        var errors = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(server, new(server), errors, validateAllProperties: true))
        {
            throw new StartupException(string.Join("; ", errors.Select(e => e.ErrorMessage)));
        }

        return server;
    }
}
