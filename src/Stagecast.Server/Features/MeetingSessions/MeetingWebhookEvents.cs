using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// The webhook events of meeting sessions (<c>meeting.started</c>, <c>meeting.ended</c>,
/// <c>meeting.participantJoined</c>, <c>meeting.participantLeft</c>, <c>meeting.chatSynced</c>), built here and written
/// with the change that causes them. Bodies are camelCase as RealtimeKit sends them (docs/webhooks.md).
/// </summary>
public sealed class MeetingWebhookEvents(WebhookEvents webhooks, PublicUrls urls, DownloadSigner downloads)
{
    /// <summary>How long the chat link of <c>meeting.chatSynced</c> works: long enough for a receiver that was down a while.</summary>
    public static readonly TimeSpan ChatLinkLifetime = TimeSpan.FromDays(7);

    public OutboxEvent MeetingStarted(Meeting meeting, MeetingSession session) =>
        webhooks.Create(meeting.AppId, WebhookEventNames.MeetingStarted, id => new { @event = WebhookEventNames.MeetingStarted, eventId = id, meeting = MeetingOf(meeting, session) });

    public OutboxEvent MeetingEnded(Meeting meeting, MeetingSession session, string reason) =>
        webhooks.Create(meeting.AppId, WebhookEventNames.MeetingEnded, id => new { @event = WebhookEventNames.MeetingEnded, eventId = id, meeting = MeetingOf(meeting, session), reason });

    public OutboxEvent ParticipantJoined(Meeting meeting, MeetingSession session, SessionPeer peer) =>
        webhooks.Create(meeting.AppId, WebhookEventNames.ParticipantJoined, id => new
        {
            @event = WebhookEventNames.ParticipantJoined, eventId = id, meeting = MeetingOf(meeting, session), participant = ParticipantOf(peer),
        });

    public OutboxEvent ParticipantLeft(Meeting meeting, MeetingSession session, SessionPeer peer) =>
        webhooks.Create(meeting.AppId, WebhookEventNames.ParticipantLeft, id => new
        {
            @event = WebhookEventNames.ParticipantLeft, eventId = id, meeting = MeetingOf(meeting, session), participant = ParticipantOf(peer),
        });

    public OutboxEvent ChatSynced(Meeting meeting, MeetingSession session)
    {
        string path = SessionsApi.ChatDownloadPath.Replace("{session_id}", session.Id, StringComparison.Ordinal);
        var (query, expires) = downloads.Sign(path, ChatLinkLifetime);
        return webhooks.Create(meeting.AppId, WebhookEventNames.ChatSynced, id => new
        {
            @event = WebhookEventNames.ChatSynced, eventId = id, meeting = MeetingOf(meeting, session),
            chatDownloadUrl = $"{urls.HttpBase}{path}?{query}", chatDownloadUrlExpiry = expires,
        });
    }

    private static object MeetingOf(Meeting meeting, MeetingSession session) => new
    {
        id = meeting.Id,
        sessionId = session.Id,
        title = meeting.Title,
        status = session.IsLive ? "LIVE" : "ENDED",
        createdAt = meeting.CreatedAt,
        startedAt = session.StartedAt,
        endedAt = session.EndedAt,
    };

    private static object ParticipantOf(SessionPeer peer) => new
    {
        peerId = peer.Id,
        userId = peer.ParticipantId,
        customParticipantId = peer.CustomParticipantId,
        displayName = peer.DisplayName,
        presetName = peer.PresetName,
        joinedAt = peer.JoinedAt,
        leftAt = peer.LeftAt,
        duration = peer.LeftAt is { } left ? Math.Round((left - peer.JoinedAt).TotalSeconds, 3) : (double?)null,
    };
}
