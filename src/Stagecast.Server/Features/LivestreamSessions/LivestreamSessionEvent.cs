using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Hosting.Database;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>What the session writer persists, in order.</summary>
public abstract record LivestreamSessionEvent
{
    public sealed record Started(string SessionId, string LivestreamId, DateTimeOffset StartedTime) : LivestreamSessionEvent;

    /// <summary>A meeting livestream waits for media again after a broadcast ended.</summary>
    public sealed record Invoked(LivestreamSession Session) : LivestreamSessionEvent;

    public sealed record Progressed(IReadOnlyCollection<LivestreamSessionProgress> Sessions) : LivestreamSessionEvent;

    public sealed record Ended(
        string SessionId,
        string LivestreamId,
        DateTimeOffset? StartedTime,
        DateTimeOffset StoppedTime,
        string? ErrMessage,
        double IngestSeconds,
        double ViewerSeconds,
        LivestreamStatus Status) : LivestreamSessionEvent;

    /// <summary>An encode of a live stream changed state, to be announced (its webhook event).</summary>
    public sealed record RenditionChanged(RenditionStatus Status) : LivestreamSessionEvent;
}
