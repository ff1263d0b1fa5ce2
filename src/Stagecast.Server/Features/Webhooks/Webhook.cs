namespace Stagecast.Server.Features.Webhooks;

/// <summary>A receiver of an app's events: where to POST them and which ones.</summary>
public sealed record Webhook(
    string Id,
    string AppId,
    string Name,
    string Url,
    IReadOnlyList<string> Events,
    bool Enabled,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>The nine event names of RealtimeKit webhooks, and Stagecast's own about renditions.</summary>
public static class WebhookEventNames
{
    public const string MeetingStarted = "meeting.started";
    public const string MeetingEnded = "meeting.ended";
    public const string ParticipantJoined = "meeting.participantJoined";
    public const string ParticipantLeft = "meeting.participantLeft";
    public const string ChatSynced = "meeting.chatSynced";
    public const string RecordingStatusUpdate = "recording.statusUpdate";
    public const string LivestreamingStatusUpdate = "livestreaming.statusUpdate";
    public const string Transcript = "meeting.transcript";
    public const string Summary = "meeting.summary";

    /// <summary>Stagecast's: an encode of a live livestream came up, fell behind, or caught up (docs/renditions.md).</summary>
    public const string LivestreamingRenditionUpdate = "livestreaming.renditionUpdate";

    public static readonly IReadOnlyList<string> All =
        [MeetingStarted, MeetingEnded, ParticipantJoined, ParticipantLeft, ChatSynced, RecordingStatusUpdate, LivestreamingStatusUpdate, Transcript, Summary, LivestreamingRenditionUpdate];
}
