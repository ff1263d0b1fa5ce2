using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.LivestreamSessions;

public static class LivestreamSessionsFeature
{
    /// <summary>
    /// Livestream sessions and their accounting: the recorder that turns streams into sessions, the writer that keeps
    /// them (and their webhook events, the renditions' too) in order, periodic figures, recovery of what a crash left open.
    /// </summary>
    public static IServiceCollection AddLivestreamSessions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddApiJson(LivestreamSessionsApiJsonContext.Default);
        services.AddOptions<AccountingOptions>().Bind(configuration.GetSection("Stagecast:Sessions")).ValidateWith<AccountingOptions, AccountingOptionsValidator>().ValidateOnStart();
        services.AddSingleton<ILivestreamSessionStore, SqlLivestreamSessionStore>();
        services.AddSingleton<LivestreamWebhookEvents>();
        services.AddSingleton<LivestreamSessionWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<LivestreamSessionWriter>());
        services.AddSingleton<LivestreamSessionAccounting>();
        services.AddSingleton<IHubStreamObserver>(sp => sp.GetRequiredService<LivestreamSessionAccounting>());
        services.AddHostedService<RenditionAnnouncements>();
        services.AddSingleton<LivestreamSessionViews>();
        services.AddStartupTask<LivestreamSessionRecovery>();
        services.AddSingleton<IDeadNodeRecovery>(sp => sp.GetRequiredService<LivestreamSessionRecovery>());
        services.AddHostedService<LivestreamSessionFlushService>();
        return services;
    }
}
