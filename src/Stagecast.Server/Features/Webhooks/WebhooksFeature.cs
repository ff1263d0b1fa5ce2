using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Webhooks;

public static class WebhooksFeature
{
    /// <summary>Webhooks: the store, the outbox dispatcher, the signing key in the data directory.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration, ServerOptions server)
    {
        services.AddApiJson(WebhooksApiJsonContext.Default);
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection("Stagecast:Webhooks")).ValidateWith<WebhookOptions, WebhookOptionsValidator>().ValidateOnStart();
        services.AddSingleton<IWebhookStore, SqlWebhookStore>();
        services.AddSingleton<WebhookService>();
        services.AddSingleton<WebhookSignal>();
        services.AddSingleton<WebhookEventWriter>();
        services.AddFeatureMetrics<WebhookMetrics>();
        services.AddSingleton<WebhookEvents>();
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<DataDirectoryLock>();
            return new WebhookSigner(sp.GetRequiredService<SecretStore>());
        });
        services.AddHostedService<WebhookDispatcher>();
        return services;
    }
}
