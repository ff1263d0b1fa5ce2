using System.Text.Json.Serialization;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// The body of the <c>recording.*</c> webhook events, as every webhook body is written (<see cref="Webhooks.WebhookEvents"/>):
/// camelCase as RealtimeKit sends them, nulls left out, times as ISO-8601 UTC with milliseconds; generated at compile time.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(ApiJson.UtcTimeConverter)])]
[JsonSerializable(typeof(RecordingWebhookBody))]
internal sealed partial class RecordingWebhookJsonContext : JsonSerializerContext;
