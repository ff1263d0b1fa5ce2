using System.ComponentModel.DataAnnotations;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>Webhook delivery settings (configuration section <c>Stagecast:Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// Let webhooks reach loopback, link-local and private addresses (<c>--webhooks-allow-private</c>). Off by default:
    /// an API user could otherwise make the server call into its own network (server-side request forgery).
    /// </summary>
    public bool AllowPrivate { get; set; }

    /// <summary>How long one delivery attempt may take, connecting included.</summary>
    [Duration]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries in flight at once, across all webhooks (each webhook has at most one).</summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>The first retry's delay; each next one doubles, with ±20% jitter, up to <see cref="MaxBackoff"/>.</summary>
    [Duration]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(5);

    [Duration]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a delivery is retried before it is given up as failed.</summary>
    [Duration]
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(25);

    /// <summary>How long delivered and failed deliveries stay visible in the deliveries API.</summary>
    [Duration]
    public TimeSpan History { get; set; } = TimeSpan.FromDays(7);
}
