using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>Webhooks of an app: saved only with a destination the server may reach.</summary>
public sealed class WebhookService(IWebhookStore store, IOptions<WebhookOptions> options, DestinationPolicy destinations, WebhookSignal signal, TimeProvider time)
{
    public async Task<Webhook> CreateAsync(string appId, WebhookRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var webhook = new Webhook(Guid.NewGuid().ToString(), appId, Required(request.Name, "name"), await CheckedUrlAsync(Required(request.Url, "url"), cancellationToken).ConfigureAwait(false),
            Required(request.Events, "events").Distinct().ToList(), request.Enabled ?? true, now, now);
        await store.CreateAsync(webhook, cancellationToken).ConfigureAwait(false);
        return webhook;
    }

    /// <summary>PATCH changes what the request names; PUT replaces (name, url and events required).</summary>
    public async Task<Webhook> UpdateAsync(string appId, string webhookId, WebhookRequest request, bool replace, CancellationToken cancellationToken)
    {
        var current = await FindAsync(appId, webhookId, cancellationToken).ConfigureAwait(false);
        string? url = replace ? Required(request.Url, "url") : request.Url;
        var updated = current with
        {
            Name = replace ? Required(request.Name, "name") : request.Name ?? current.Name,
            Url = url is null ? current.Url : await CheckedUrlAsync(url, cancellationToken).ConfigureAwait(false),
            Events = (replace ? Required(request.Events, "events") : request.Events ?? [.. current.Events]).Distinct().ToList(),
            Enabled = replace ? request.Enabled ?? true : request.Enabled ?? current.Enabled,
            UpdatedAt = time.GetUtcNow(),
        };
        await store.UpdateAsync(updated, cancellationToken).ConfigureAwait(false);
        if (updated.Enabled && !current.Enabled)
        {
            signal.Notify(); // its deliveries left pending while it was off are due again; nothing else wakes the dispatcher
        }

        return updated;
    }

    public async Task<Webhook> FindAsync(string appId, string webhookId, CancellationToken cancellationToken) =>
        await store.FindAsync(appId, webhookId, cancellationToken).ConfigureAwait(false) ?? throw ApiException.NotFound($"No webhook found with id {webhookId}");

    private async Task<string> CheckedUrlAsync(string url, CancellationToken cancellationToken) =>
        await destinations.CheckAsync(new Uri(url), new Uri(url).Port, options.Value.AllowPrivate, "--webhooks-allow-private", cancellationToken).ConfigureAwait(false) is { } refusal
            ? throw ApiException.BadRequest(refusal)
            : url;

    private static T Required<T>(T? value, string name)
        where T : class => value ?? throw ApiException.BadRequest($"\"{name}\" is required");
}
