using System.Text.Json;
using System.Text.Json.Serialization;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Sessions;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Webhooks;

/// <summary>
/// The events an app's webhooks receive, built by the code whose state change causes them and written with that
/// change (<see cref="WebhookOutbox"/>). Bodies are camelCase as RealtimeKit sends them; each carries its
/// <c>eventId</c>, which is also the <c>rtk-uuid</c> header and stays the same on every retry.
/// </summary>
public sealed class WebhookEvents(PublicUrls urls, DownloadSigner downloads, StreamKeyProtector keys)
{
    /// <summary>How long the chat link of <c>meeting.chatSynced</c> works: long enough for a receiver that was down a while.</summary>
    public static readonly TimeSpan ChatLinkLifetime = TimeSpan.FromDays(7);

    private static readonly JsonSerializerOptions Json = CreateJson();

    public OutboxEvent MeetingStarted(Meeting meeting, MeetingSession session) =>
        Create(meeting.AppId, WebhookEventNames.MeetingStarted, id => new { @event = WebhookEventNames.MeetingStarted, eventId = id, meeting = MeetingOf(meeting, session) });

    public OutboxEvent MeetingEnded(Meeting meeting, MeetingSession session, string reason) =>
        Create(meeting.AppId, WebhookEventNames.MeetingEnded, id => new { @event = WebhookEventNames.MeetingEnded, eventId = id, meeting = MeetingOf(meeting, session), reason });

    public OutboxEvent ParticipantJoined(Meeting meeting, MeetingSession session, SessionPeer peer) =>
        Create(meeting.AppId, WebhookEventNames.ParticipantJoined, id => new
        {
            @event = WebhookEventNames.ParticipantJoined, eventId = id, meeting = MeetingOf(meeting, session), participant = ParticipantOf(peer),
        });

    public OutboxEvent ParticipantLeft(Meeting meeting, MeetingSession session, SessionPeer peer) =>
        Create(meeting.AppId, WebhookEventNames.ParticipantLeft, id => new
        {
            @event = WebhookEventNames.ParticipantLeft, eventId = id, meeting = MeetingOf(meeting, session), participant = ParticipantOf(peer),
        });

    public OutboxEvent ChatSynced(Meeting meeting, MeetingSession session)
    {
        string path = SessionsApi.ChatDownloadPath.Replace("{session_id}", session.Id, StringComparison.Ordinal);
        var (query, expires) = downloads.Sign(path, ChatLinkLifetime);
        return Create(meeting.AppId, WebhookEventNames.ChatSynced, id => new
        {
            @event = WebhookEventNames.ChatSynced, eventId = id, meeting = MeetingOf(meeting, session),
            chatDownloadUrl = $"{urls.HttpBase}{path}?{query}", chatDownloadUrlExpiry = expires,
        });
    }

    /// <summary>
    /// <c>livestreaming.statusUpdate</c>: LIVE when media starts, OFFLINE when a broadcast ends, IDLE when a meeting
    /// livestream ends without having had media. The stream key goes along for manual ingest only.
    /// </summary>
    public OutboxEvent LivestreamStatus(Livestream livestream, string status) =>
        Create(livestream.AppId, WebhookEventNames.LivestreamingStatusUpdate, id => new
        {
            @event = WebhookEventNames.LivestreamingStatusUpdate,
            eventId = id,
            streamId = livestream.Id,
            status,
            manualIngest = livestream.ManualIngest,
            playbackUrl = urls.PlaybackUrl(livestream.Id),
            ingestServer = urls.IngestServer,
            streamKey = livestream.ManualIngest ? keys.Unprotect(livestream.SealedStreamKey) : null,
            meeting = livestream.MeetingId is { } meetingId ? new { id = meetingId, sessionId = livestream.MeetingSessionId } : null,
        });

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

    private static OutboxEvent Create(string appId, string name, Func<string, object> payload)
    {
        string id = Guid.NewGuid().ToString();
        return new OutboxEvent(id, appId, name, JsonSerializer.SerializeToUtf8Bytes(payload(id), Json));
    }

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new ApiJson.UtcTimeConverter());
        return options;
    }
}
