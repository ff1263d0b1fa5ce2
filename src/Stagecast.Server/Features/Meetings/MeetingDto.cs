using System.Text.Json.Nodes;

namespace Stagecast.Server.Features.Meetings;

public sealed record MeetingDto(
    string Id,
    string? Title,
    bool RecordOnStart,
    bool LiveStreamOnStart,
    bool PersistChat,
    bool SummarizeOnEnd,
    bool TranscribeOnEnd,
    int SessionKeepAliveTimeInSecs,
    string Status,
    JsonObject? AiConfig,
    JsonObject? RecordingConfig,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<MaskedRoomStream> RoomStreams)
{
    public static MeetingDto From(Meeting m) => new(
        m.Id, m.Title, m.RecordOnStart, m.LiveStreamOnStart, m.PersistChat, m.SummarizeOnEnd, m.TranscribeOnEnd, m.SessionKeepAliveTimeInSecs,
        m.Status == MeetingStatus.Active ? "ACTIVE" : "INACTIVE", m.AiConfig, m.RecordingConfig, m.CreatedAt, m.UpdatedAt,
        [.. (m.RoomStreams ?? []).Select(url => new MaskedRoomStream(Stagecast.Restream.RestreamDestination.Mask(url)))]);
}

/// <summary>A room stream setting as answers show it: the stream key masked.</summary>
public sealed record MaskedRoomStream(string Url);
