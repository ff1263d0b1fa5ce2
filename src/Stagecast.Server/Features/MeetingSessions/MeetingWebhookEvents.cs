using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// The webhook events of meeting sessions (<c>meeting.started</c>, <c>meeting.ended</c>,
/// <c>meeting.participantJoined</c>, <c>meeting.participantLeft</c>, <c>meeting.chatSynced</c>, <c>meeting.transcript</c>, <c>meeting.summary</c>), built here and written
/// with the change that causes them. Bodies are camelCase as RealtimeKit sends them (docs/webhooks.md).
/// </summary>
public sealed class MeetingWebhookEvents(WebhookEvents webhooks, PublicUrls urls, DownloadSigner downloads)
{
    /// <summary>How long the links of meeting events (chat, transcript, summary) work: long enough for a receiver that was down a while.</summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromDays(7);

    public OutboxEvent MeetingStarted(Meeting meeting, MeetingSession session) =>
        Create(meeting, WebhookEventNames.MeetingStarted, id => new(WebhookEventNames.MeetingStarted, id, MeetingOf(meeting, session)));

    public OutboxEvent MeetingEnded(Meeting meeting, MeetingSession session, string reason) =>
        Create(meeting, WebhookEventNames.MeetingEnded, id => new(WebhookEventNames.MeetingEnded, id, MeetingOf(meeting, session), Reason: reason));

    public OutboxEvent ParticipantJoined(Meeting meeting, MeetingSession session, MeetingSessionPeer peer) =>
        Create(meeting, WebhookEventNames.ParticipantJoined,
            id => new(WebhookEventNames.ParticipantJoined, id, MeetingOf(meeting, session), Participant: ParticipantOf(peer)));

    public OutboxEvent ParticipantLeft(Meeting meeting, MeetingSession session, MeetingSessionPeer peer) =>
        Create(meeting, WebhookEventNames.ParticipantLeft,
            id => new(WebhookEventNames.ParticipantLeft, id, MeetingOf(meeting, session), Participant: ParticipantOf(peer)));

    public OutboxEvent ChatSynced(Meeting meeting, MeetingSession session)
    {
        var (url, expires) = downloads.Link(urls.HttpBase, MeetingSessionsApi.ChatDownloadPath.Replace("{session_id}", session.Id, StringComparison.Ordinal), LinkLifetime);
        return Create(meeting, WebhookEventNames.ChatSynced, id => new(WebhookEventNames.ChatSynced, id, MeetingOf(meeting, session),
            ChatDownloadUrl: url, ChatDownloadUrlExpiry: expires));
    }

    /// <summary>The session's transcript is complete: where to download it (a signed link, until <paramref name="expires"/>).</summary>
    public OutboxEvent Transcript(Meeting meeting, MeetingSession session, string downloadUrl, DateTimeOffset expires) =>
        Create(meeting, WebhookEventNames.Transcript, id => new(WebhookEventNames.Transcript, id, MeetingOf(meeting, session),
            TranscriptDownloadUrl: downloadUrl, TranscriptDownloadUrlExpiry: expires));

    /// <summary>The session's summary is written: where to download it (a signed link, until <paramref name="expires"/>).</summary>
    public OutboxEvent Summary(Meeting meeting, MeetingSession session, string downloadUrl, DateTimeOffset expires) =>
        Create(meeting, WebhookEventNames.Summary, id => new(WebhookEventNames.Summary, id, MeetingOf(meeting, session),
            SummaryDownloadUrl: downloadUrl, SummaryDownloadUrlExpiry: expires));

    private OutboxEvent Create(Meeting meeting, string name, Func<string, MeetingWebhookBody> body) =>
        webhooks.Create(meeting.AppId, name, body, MeetingWebhookJsonContext.Default.MeetingWebhookBody);

    private static MeetingWebhookMeeting MeetingOf(Meeting meeting, MeetingSession session) => new(
        meeting.Id, session.Id, meeting.Title, session.IsLive ? "LIVE" : "ENDED", meeting.CreatedAt, session.StartedAt, session.EndedAt);

    private static MeetingWebhookParticipant ParticipantOf(MeetingSessionPeer peer) => new(
        peer.Id, peer.ParticipantId, peer.CustomParticipantId, peer.DisplayName, peer.PresetName, peer.JoinedAt, peer.LeftAt,
        peer.LeftAt is { } left ? Math.Round((left - peer.JoinedAt).TotalSeconds, 3) : null);
}
