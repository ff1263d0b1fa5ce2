namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// The body of every meeting webhook event: what each event has beyond the meeting is null in the others, and nulls
/// are left out (docs/webhooks.md). Typed rather than anonymous: the release serializes it without reflection.
/// </summary>
public sealed record MeetingWebhookBody(
    string Event,
    string EventId,
    MeetingWebhookMeeting Meeting,
    string? Reason = null,
    MeetingWebhookParticipant? Participant = null,
    string? ChatDownloadUrl = null,
    DateTimeOffset? ChatDownloadUrlExpiry = null,
    string? TranscriptDownloadUrl = null,
    DateTimeOffset? TranscriptDownloadUrlExpiry = null,
    string? SummaryDownloadUrl = null,
    DateTimeOffset? SummaryDownloadUrlExpiry = null);

public sealed record MeetingWebhookMeeting(
    string Id, string SessionId, string? Title, string Status, DateTimeOffset CreatedAt, DateTimeOffset StartedAt, DateTimeOffset? EndedAt);

public sealed record MeetingWebhookParticipant(
    string PeerId, string UserId, string CustomParticipantId, string? DisplayName, string? PresetName, DateTimeOffset JoinedAt, DateTimeOffset? LeftAt,
    double? Duration);
