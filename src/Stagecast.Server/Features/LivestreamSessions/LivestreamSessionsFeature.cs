using Stagecast.Server.Features.Cluster;
using Stagecast.Streaming.Limits;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Hosting;
using Stagecast.Streaming;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.LivestreamSessions;

public static class LivestreamSessionsFeature
{
    /// <summary>
    /// Livestream sessions and their accounting: the recorder that turns streams into sessions, the writer that keeps
    /// them (and their webhook events) in order, periodic figures, recovery of what a crash left open.
    /// </summary>
    public static IServiceCollection AddLivestreamSessions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddApiJson(LivestreamSessionsApiJsonContext.Default);
        services.AddOptions<SessionAccountingOptions>().Bind(configuration.GetSection("Stagecast:Sessions")).ValidateWith<SessionAccountingOptions, SessionAccountingOptionsValidator>().ValidateOnStart();
        services.AddSingleton<ILivestreamSessionStore, SqlLivestreamSessionStore>();
        services.AddSingleton<LivestreamWebhookEvents>();
        services.AddSingleton<SessionWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionWriter>());
        services.AddSingleton<SessionRecorder>();
        services.AddSingleton<ILiveStreamObserver>(sp => sp.GetRequiredService<SessionRecorder>());
        services.AddSingleton<SessionViews>();
        services.AddStartupTask<SessionRecovery>();
        services.AddSingleton<IDeadNodeRecovery>(sp => sp.GetRequiredService<SessionRecovery>());
        services.AddHostedService<SessionFlushService>();
        return services;
    }
}
