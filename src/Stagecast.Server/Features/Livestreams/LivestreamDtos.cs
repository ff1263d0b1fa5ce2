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
    string WhepUrl,
    string WatchUrl,
    int LiveViewers,
    IngestDto? Ingest)
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
        view.WhepUrl,
        view.WatchUrl,
        view.LiveViewers,
        view.Ingest);

    public static string StatusText(LivestreamStatus status) => status.ToString().ToUpperInvariant();
}

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
    int LiveViewers)
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

/// <summary>What is coming in while a livestream is live (null otherwise): protocol, bitrate, codecs and picture size.</summary>
public sealed record IngestDto(
    string? Protocol, long BitsPerSecond, string? VideoCodec, int? Width, int? Height, string? AudioCodec, int? AudioSampleRate, int? AudioChannels)
{
    public static IngestDto From(Stagecast.Streaming.LiveStream stream)
    {
        var video = stream.Video;
        var audio = stream.Audio;
        return new IngestDto(
            stream.Publisher?.Info.Protocol, stream.IngestBitsPerSecond, video?.CodecString, video?.Width, video?.Height, audio?.CodecString, audio?.SampleRate, audio?.Channels);
    }
}
