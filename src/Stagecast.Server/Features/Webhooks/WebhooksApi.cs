using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>Webhooks (RealtimeKit's /webhooks), their deliveries, and the public key receivers verify with.</summary>
public static class WebhooksApi
{
    public const string PublicKeyPath = "/.well-known/webhooks.json";

    public static void MapWebhooks(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/webhooks").WithTags("Webhooks");
        group.MapPost("/", CreateAsync).WithSummary("Add a webhook: {name, url, events[], enabled?}");
        group.MapGet("/", ListAsync).WithSummary("List webhooks");
        group.MapGet("/{webhook_id}", GetAsync).WithSummary("A webhook");
        group.MapPatch("/{webhook_id}", (HttpContext c, WebhookService s, JsonBody<WebhookRequest> b, string webhook_id) => UpdateAsync(c, s, b, webhook_id, replace: false))
            .WithSummary("Change a webhook");
        group.MapPut("/{webhook_id}", (HttpContext c, WebhookService s, JsonBody<WebhookRequest> b, string webhook_id) => UpdateAsync(c, s, b, webhook_id, replace: true))
            .WithSummary("Replace a webhook");
        group.MapDelete("/{webhook_id}", DeleteAsync).WithSummary("Delete a webhook (its pending deliveries are not sent)");
        group.MapGet("/{webhook_id}/deliveries", DeliveriesAsync).WithSummary("Deliveries, newest first: status, attempts, last response and error, next attempt");
        group.MapPost("/{webhook_id}/deliveries/{delivery_id}/retry", RetryAsync).WithSummary("Send a failed delivery again now");
    }

    /// <summary>GET /.well-known/webhooks.json: the public key that verifies <c>rtk-signature</c>, as RealtimeKit publishes it.</summary>
    public static IEndpointRouteBuilder MapWebhookPublicKey(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(PublicKeyPath, (WebhookSigner signer) => TypedResults.Ok(new ApiResponse<PublicKeyDto>(true, new PublicKeyDto(signer.PublicKeyPem))))
            .WithTags("Webhooks").WithSummary("The public key webhook signatures verify with");
        return endpoints;
    }

    private static async Task<Created<ApiResponse<WebhookDto>>> CreateAsync(HttpContext context, WebhookService webhooks, JsonBody<WebhookRequest> body)
    {
        var webhook = await webhooks.CreateAsync(context.App().Id, body.Value, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Created(context, webhook.Id, WebhookDto.From(webhook));
    }

    private static async Task<Ok<ApiListResponse<WebhookDto>>> ListAsync(HttpContext context, IWebhookStore store)
    {
        var paging = new QueryParameters(context.Request.Query).Paging();
        var page = await store.ListAsync(context.App().Id, paging, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.List(page.Items.Select(WebhookDto.From).ToList(), paging, page.TotalCount);
    }

    private static async Task<Ok<ApiResponse<WebhookDto>>> GetAsync(HttpContext context, WebhookService webhooks, string webhook_id) =>
        ApiResults.Ok(WebhookDto.From(await webhooks.FindAsync(context.App().Id, webhook_id, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<ApiResponse<WebhookDto>>> UpdateAsync(HttpContext context, WebhookService webhooks, JsonBody<WebhookRequest> body, string webhookId, bool replace) =>
        ApiResults.Ok(WebhookDto.From(await webhooks.UpdateAsync(context.App().Id, webhookId, body.Value, replace, context.RequestAborted).ConfigureAwait(false)));

    private static async Task<Ok<ApiResponse<WebhookDto>>> DeleteAsync(HttpContext context, WebhookService webhooks, IWebhookStore store, TimeProvider time, string webhook_id)
    {
        var webhook = await webhooks.FindAsync(context.App().Id, webhook_id, context.RequestAborted).ConfigureAwait(false);
        await store.DeleteAsync(webhook.Id, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        return ApiResults.Ok(WebhookDto.From(webhook));
    }

    private static async Task<Ok<ApiListResponse<DeliveryDto>>> DeliveriesAsync(HttpContext context, WebhookService webhooks, IWebhookStore store, string webhook_id)
    {
        await webhooks.FindAsync(context.App().Id, webhook_id, context.RequestAborted).ConfigureAwait(false);
        var query = new QueryParameters(context.Request.Query);
        var paging = query.Paging();
        string? status = query.Choice("status", DeliveryStatus.Pending, DeliveryStatus.Delivered, DeliveryStatus.Failed);
        var page = await store.ListDeliveriesAsync(webhook_id, status, paging, context.RequestAborted).ConfigureAwait(false);
        return ApiResults.List(page.Items.Select(DeliveryDto.From).ToList(), paging, page.TotalCount);
    }

    private static async Task<Ok<ApiResponse<DeliveryDto>>> RetryAsync(
        HttpContext context, WebhookService webhooks, IWebhookStore store, WebhookSignal signal, TimeProvider time, string webhook_id, string delivery_id)
    {
        await webhooks.FindAsync(context.App().Id, webhook_id, context.RequestAborted).ConfigureAwait(false);
        var delivery = await store.FindDeliveryAsync(webhook_id, delivery_id, context.RequestAborted).ConfigureAwait(false)
            ?? throw ApiException.NotFound($"No delivery found with id {delivery_id}");
        if (delivery.Status == DeliveryStatus.Delivered)
        {
            throw ApiException.Conflict($"delivery {delivery_id} was delivered already");
        }

        await store.RetryAsync(delivery_id, time.GetUtcNow(), context.RequestAborted).ConfigureAwait(false);
        signal.Notify();
        return ApiResults.Ok(DeliveryDto.From((await store.FindDeliveryAsync(webhook_id, delivery_id, context.RequestAborted).ConfigureAwait(false))!));
    }
}

public sealed record WebhookDto(string Id, string Name, string Url, IReadOnlyList<string> Events, bool Enabled, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WebhookDto From(Webhook w) => new(w.Id, w.Name, w.Url, w.Events, w.Enabled, w.CreatedAt, w.UpdatedAt);
}

public sealed record DeliveryDto(
    string Id,
    string WebhookId,
    string EventId,
    string Event,
    string Status,
    long Attempts,
    int? LastResponseCode,
    string? LastError,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeliveredAt)
{
    public static DeliveryDto From(WebhookDelivery d) =>
        new(d.Id, d.WebhookId, d.EventId, d.Event, d.Status, d.Attempts, d.LastResponseCode, d.LastError, d.NextAttemptAt, d.CreatedAt, d.UpdatedAt, d.DeliveredAt);
}

/// <summary>RealtimeKit's <c>{"publicKey": "-----BEGIN PUBLIC KEY-----…"}</c> (camelCase, as it publishes it).</summary>
public sealed record PublicKeyDto([property: JsonPropertyName("publicKey")] string PublicKey);
