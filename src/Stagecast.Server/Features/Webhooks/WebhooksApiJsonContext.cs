using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>The REST API's requests and answers of webhooks, generated at compile time (the API's JSON options apply: <see cref="ApiJson"/>).</summary>
[JsonSerializable(typeof(WebhookRequest))]
[JsonSerializable(typeof(ApiListResponse<DeliveryDto>))]
[JsonSerializable(typeof(ApiListResponse<WebhookDto>))]
[JsonSerializable(typeof(ApiResponse<DeliveryDto>))]
[JsonSerializable(typeof(ApiResponse<WebhookDto>))]
[JsonSerializable(typeof(ApiResponse<PublicKeyDto>))]
internal sealed partial class WebhooksApiJsonContext : JsonSerializerContext;
