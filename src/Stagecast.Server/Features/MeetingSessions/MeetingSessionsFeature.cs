using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.MeetingSessions;

public static class MeetingSessionsFeature
{
    /// <summary>Meeting sessions: their store, durable participant minutes, recovery after a crash, chat downloads and retention, chat files' records.</summary>
    public static IServiceCollection AddMeetingSessions(this IServiceCollection services, IConfiguration configuration, ServerOptions server)
    {
        services.AddApiJson(MeetingSessionsApiJsonContext.Default);
        services.AddOptions<ChatOptions>().Bind(configuration.GetSection("Stagecast:Chat")).ValidateWith<ChatOptions, ChatOptionsValidator>().ValidateOnStart();
        services.AddSingleton<ChatFileStorage>();
        services.AddSingleton<SqlChatFileStore>();
        services.AddStartupTask<ChatFileSidecars>();
        services.AddSingleton<ChatRetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<ChatRetentionService>());
        services.AddSingleton<IMeetingSessionStore, SqlMeetingSessionStore>();
        services.AddSingleton<MeetingWebhookEvents>();
        services.AddStartupTask<MeetingSessionRecovery>();
        services.AddSingleton<IDeadNodeRecovery>(sp => sp.GetRequiredService<MeetingSessionRecovery>());
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<DataDirectoryLock>();
            return new DownloadSigner(StreamKeyProtector.LoadOrCreateMasterKey(sp.GetRequiredService<SecretStore>()), sp.GetRequiredService<TimeProvider>());
        });
        return services;
    }

    public static RouteGroupBuilder MapMeetingSessions(this RouteGroupBuilder api)
    {
        api.MapSessions();
        return api;
    }
}
