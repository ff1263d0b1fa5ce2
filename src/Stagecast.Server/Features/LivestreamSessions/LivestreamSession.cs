using Stagecast.Server.Features.Livestreams;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>One continuous broadcast of a livestream.</summary>
public sealed record LivestreamSession(
    string Id,
    string LivestreamId,
    string AppId,
    string? ErrMessage,
    DateTimeOffset? InvokedTime,
    DateTimeOffset? StartedTime,
    DateTimeOffset? StoppedTime,
    double IngestSeconds,
    double ViewerSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? MeetingSessionId = null);

/// <summary>Progress of a live session written periodically.</summary>
public readonly record struct LivestreamSessionProgress(string SessionId, string LivestreamId, double IngestSeconds, double ViewerSeconds, DateTimeOffset UpdatedAt);
