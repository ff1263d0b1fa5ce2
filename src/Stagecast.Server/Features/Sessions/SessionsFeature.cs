using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Sessions;

public static class SessionsFeature
{
    /// <summary>Meeting sessions: their store, durable participant minutes, recovery after a crash, chat downloads and retention.</summary>
    public static IServiceCollection AddSessions(this IServiceCollection services, IConfiguration configuration, ServerOptions server)
    {
        services.AddOptions<ChatOptions>().Bind(configuration.GetSection("Stagecast:Chat"));
        services.AddSingleton<ChatRetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<ChatRetentionService>());
        services.AddSingleton<ISessionStore, SqliteSessionStore>();
        services.AddSingleton<MeetingSessionRecovery>();
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<DataDirectoryLock>();
            return new DownloadSigner(StreamKeyProtector.LoadOrCreateMasterKey(server.DataDir), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<MeetingSessionFlushService>();
        services.AddHostedService(sp => sp.GetRequiredService<MeetingSessionFlushService>());
        return services;
    }

    public static RouteGroupBuilder MapMeetingSessions(this RouteGroupBuilder api)
    {
        api.MapSessions();
        api.MapActiveSession();
        return api;
    }
}
