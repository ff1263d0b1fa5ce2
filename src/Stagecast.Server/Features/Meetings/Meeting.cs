using System.Text.Json.Nodes;

namespace Stagecast.Server.Features.Meetings;

/// <summary>
/// A RealtimeKit meeting: a room participants join, whose sessions, chat and livestreams are recorded.
/// <see cref="RoomStreams"/> are RTMP(S) URLs (with their stream keys: secrets, sealed at rest) the program is pushed
/// to with every session.
/// </summary>
public sealed record Meeting(
    string Id,
    string AppId,
    string? Title,
    bool RecordOnStart,
    bool LiveStreamOnStart,
    bool PersistChat,
    bool SummarizeOnEnd,
    bool TranscribeOnEnd,
    int SessionKeepAliveTimeInSecs,
    MeetingStatus Status,
    JsonObject? AiConfig,
    JsonObject? RecordingConfig,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string>? RoomStreams = null,
    string? ParentMeetingId = null);

public enum MeetingStatus
{
    Active,
    Inactive,
}

public sealed record MeetingFilter(string? Search, MeetingStatus? Status, DateTimeOffset? CreatedFrom, DateTimeOffset? CreatedTo, bool Ascending);
