using Stagecast.Server.Features.Webhooks;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary><c>livestreaming.statusUpdate</c>'s body (docs/webhooks.md); nulls are left out.</summary>
public sealed record LivestreamWebhookBody(
    string Event,
    string EventId,
    string StreamId,
    string Status,
    bool ManualIngest,
    string PlaybackUrl,
    string IngestServer,
    string? StreamKey,
    WebhookMeetingRef? Meeting);

/// <summary><c>livestreaming.renditionUpdate</c>'s body (docs/renditions.md); nulls are left out.</summary>
public sealed record LivestreamRenditionWebhookBody(
    string Event,
    string EventId,
    string StreamId,
    string Rendition,
    string Status,
    DateTimeOffset Since,
    string PlaybackUrl,
    WebhookMeetingRef? Meeting);
