using Stagecast.Server.Features.Webhooks;

namespace Stagecast.Server.Features.Recordings;

/// <summary><c>recording.statusUpdate</c>'s body (docs/webhooks.md); nulls are left out.</summary>
public sealed record RecordingWebhookBody(string Event, string EventId, RecordingWebhookRecording Recording, WebhookMeetingRef? Meeting);

public sealed record RecordingWebhookRecording(
    string Id,
    string Status,
    string? MeetingId,
    string? LivestreamId,
    string? SessionId,
    DateTimeOffset InvokedTime,
    DateTimeOffset? StartedTime,
    DateTimeOffset? StoppedTime,
    string OutputFileName,
    long? FileSize,
    double? RecordingDuration,
    string StartReason,
    string? StopReason,
    string? ErrMessage);
