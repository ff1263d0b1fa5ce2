using Stagecast.Server.Features.Livestreams;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>
/// A livestream session; seconds are whole seconds (the RealtimeKit types say integer). <c>live_viewers</c>: players
/// watching now (0 once the session stopped).
/// </summary>
public sealed record LivestreamSessionDto(
    string Id,
    string LivestreamId,
    string? ErrMessage,
    DateTimeOffset? InvokedTime,
    DateTimeOffset? StartedTime,
    DateTimeOffset? StoppedTime,
    long IngestSeconds,
    long ViewerSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int LiveViewers,
    object? Recording = null)
{
    public static LivestreamSessionDto From(LivestreamSession session, int liveViewers) => new(
        session.Id,
        session.LivestreamId,
        session.ErrMessage,
        session.InvokedTime,
        session.StartedTime,
        session.StoppedTime,
        (long)Math.Round(session.IngestSeconds),
        (long)Math.Round(session.ViewerSeconds),
        session.CreatedAt,
        session.UpdatedAt,
        liveViewers);
}

public sealed record LivestreamDetailsDto(LivestreamDto Livestream, LivestreamSessionDto? Session, IReadOnlyList<LivestreamSessionDto> Sessions, Hosting.Api.PagingDto Paging);

public sealed record ActiveLivestreamSessionDto(LivestreamDto Livestream, LivestreamSessionDto Session);

/// <summary>The recording of a livestream session, if one was made (implemented by the recordings feature).</summary>
public interface ILivestreamSessionRecordings
{
    /// <summary>The recording object (as <c>GET /recordings/{id}</c> shows it), or null.</summary>
    Task<object?> ForSessionAsync(string appId, string sessionId, CancellationToken cancellationToken);
}
