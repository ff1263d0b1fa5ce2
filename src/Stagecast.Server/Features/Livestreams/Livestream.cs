namespace Stagecast.Server.Features.Livestreams;

/// <summary>A livestream as stored: the stream key sealed (encrypted) and its lookup digest.</summary>
public sealed record Livestream(
    string Id,
    string AppId,
    string? Name,
    string? MeetingId,
    byte[] SealedStreamKey,
    byte[] StreamKeyHash,
    LivestreamStatus Status,
    bool Disabled,
    bool ManualIngest,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public enum LivestreamStatus
{
    Idle,
    Invoked,
    Live,
    Errored,
}
