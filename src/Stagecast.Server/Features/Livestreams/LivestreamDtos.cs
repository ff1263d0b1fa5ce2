namespace Stagecast.Server.Features.Livestreams;

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
    DateTimeOffset UpdatedAt,
    string WhipUrl,
    string WhepUrl)
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
        view.Record.UpdatedAt,
        view.WhipUrl,
        view.WhepUrl);

    public static string StatusText(LivestreamStatus status) => status.ToString().ToUpperInvariant();
}

/// <summary>A livestream session; seconds are whole seconds (the RealtimeKit types say integer).</summary>
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
    DateTimeOffset UpdatedAt)
{
    public static LivestreamSessionDto From(LivestreamSession session) => new(
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

public sealed record LivestreamDetailsDto(LivestreamDto Livestream, LivestreamSessionDto? Session, IReadOnlyList<LivestreamSessionDto> Sessions, Hosting.Api.PagingDto Paging);

public sealed record ActiveLivestreamSessionDto(LivestreamDto Livestream, LivestreamSessionDto Session);
