using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>The webhook event of livestream sessions, written with the session change that causes it (docs/webhooks.md).</summary>
public sealed class LivestreamWebhookEvents(WebhookEvents webhooks, PublicUrls urls, StreamKeyProtector keys)
{
    /// <summary>
    /// <c>livestreaming.statusUpdate</c>: LIVE when media starts, OFFLINE when a broadcast ends, IDLE when a meeting
    /// livestream ends without having had media. The stream key goes along for manual ingest only.
    /// </summary>
    public OutboxEvent Status(Livestream livestream, string status) =>
        webhooks.Create(livestream.AppId, WebhookEventNames.LivestreamingStatusUpdate, id => new LivestreamWebhookBody(
            WebhookEventNames.LivestreamingStatusUpdate,
            id,
            livestream.Id,
            status,
            livestream.ManualIngest,
            urls.PlaybackUrl(livestream.Id),
            urls.IngestServer,
            livestream.ManualIngest ? keys.Unprotect(livestream.SealedStreamKey) : null,
            livestream.MeetingId is { } meetingId ? new WebhookMeetingRef(meetingId, livestream.MeetingSessionId) : null),
            LivestreamWebhookJsonContext.Default.LivestreamWebhookBody);

    /// <summary><c>livestreaming.renditionUpdate</c>: an encode of the livestream is <c>LIVE</c> (listed to players) or <c>LAGGING</c> (left out).</summary>
    public OutboxEvent Rendition(Livestream livestream, RenditionStatus status) =>
        webhooks.Create(livestream.AppId, WebhookEventNames.LivestreamingRenditionUpdate, id => new LivestreamRenditionWebhookBody(
            WebhookEventNames.LivestreamingRenditionUpdate,
            id,
            livestream.Id,
            status.Rendition.Name,
            RenditionStatusDto.StatusText(status.State),
            status.Since,
            urls.PlaybackUrl(livestream.Id),
            livestream.MeetingId is { } meetingId ? new WebhookMeetingRef(meetingId, livestream.MeetingSessionId) : null),
            LivestreamWebhookJsonContext.Default.LivestreamRenditionWebhookBody);
}
