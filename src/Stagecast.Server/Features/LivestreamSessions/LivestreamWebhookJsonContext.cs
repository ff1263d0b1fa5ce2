using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>
/// The body of the <c>livestream.*</c> webhook events, as every webhook body is written (<see cref="Webhooks.WebhookEvents"/>):
/// camelCase as RealtimeKit sends them, nulls left out, times as ISO-8601 UTC with milliseconds; generated at compile time.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(ApiJson.UtcTimeConverter)])]
[JsonSerializable(typeof(LivestreamWebhookBody))]
[JsonSerializable(typeof(LivestreamRenditionWebhookBody))]
internal sealed partial class LivestreamWebhookJsonContext : JsonSerializerContext;
