using System.Text.Json.Serialization;
using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Recordings;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>
/// Webhook bodies: camelCase as RealtimeKit sends them, nulls left out, times as ISO-8601 UTC with milliseconds;
/// serialized by code generated at compile time (the release is Native AOT). A new event's body adds its line.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(ApiJson.UtcTimeConverter)])]
[JsonSerializable(typeof(MeetingWebhookBody))]
[JsonSerializable(typeof(LivestreamWebhookBody))]
[JsonSerializable(typeof(RecordingWebhookBody))]
public sealed partial class WebhookJsonContext : JsonSerializerContext;
