using Stagecast.Server.Livestreams;
using Stagecast.Server.Persistence;

namespace Stagecast.Server.Api;

public sealed record LivestreamDto(
    string Id,
    string? Name,
    string? MeetingId,
    string IngestServer,
    string StreamKey,
    string PlaybackUrl,
    string Status,
    bool Disabled,
    bool ManualIngest,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static LivestreamDto From(LivestreamView view) => new(
        view.Record.Id,
        view.Record.Name,
        view.Record.MeetingId,
        view.IngestServer,
        view.StreamKey,
        view.PlaybackUrl,
        StatusText(view.Status),
        view.Record.Disabled,
        view.Record.ManualIngest,
        view.Record.CreatedAt,
        view.Record.UpdatedAt);

    public static string StatusText(LivestreamStatus status) => status.ToString().ToUpperInvariant();
}

/// <summary>A livestream session; seconds are whole seconds (the RealtimeKit types say integer).</summary>
public sealed record SessionDto(
    string Id,
    string LivestreamId,
    string? ErrMessage,
    DateTimeOffset? InvokedTime,
    DateTimeOffset? StartedTime,
    DateTimeOffset? StoppedTime,
    long IngestSeconds,
    long ViewerSeconds,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static SessionDto From(LivestreamSession session) => new(
        session.Id,
        session.LivestreamId,
        session.ErrMessage,
        session.InvokedTime,
        session.StartedTime,
        session.StoppedTime,
        (long)Math.Round(session.IngestSeconds),
        (long)Math.Round(session.ViewerSeconds),
        session.CreatedAt,
        session.UpdatedAt);
}

public sealed record LivestreamDetailsDto(LivestreamDto Livestream, SessionDto? Session, IReadOnlyList<SessionDto> Sessions, PagingDto Paging);

public sealed record ActiveLivestreamSessionDto(LivestreamDto Livestream, SessionDto Session);

public sealed record MessageDto(string Message);

public sealed record AnalyticsOverallDto(long Count, long TotalIngestSeconds, long TotalViewerSeconds);

public sealed record AnalyticsDayDto(string Date, long Count, long TotalIngestSeconds, long TotalViewerSeconds);
