using Stagecast.Server.Features.Apps;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Livestreams;

public record LivestreamDto(
    string Id,
    string? Name,
    string? MeetingId,
    string IngestServer,
    string? SrtUrl,
    string StreamKey,
    string PlaybackUrl,
    string ThumbnailUrl,
    string Status,
    bool Disabled,
    bool ManualIngest,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string WhipUrl,
    string WhepUrl,
    string WatchUrl,
    int LiveViewers,
    IngestDto? Ingest,
    RecordingSettingDto Recording,
    IReadOnlyList<string> Renditions,
    IReadOnlyList<RenditionStatusDto>? RenditionStatus,
    bool RequireTls,
    bool TranscriptionEnabled)
{
    /// <summary>The livestream of <paramref name="app"/>, with the ladder its next broadcast gets (its own, else the app's default).</summary>
    public static LivestreamDto From(LivestreamView view, App app) => new(
        view.Record.Id,
        view.Record.Name,
        view.Record.MeetingId,
        view.IngestServer,
        view.SrtUrl,
        view.StreamKey,
        view.PlaybackUrl,
        view.ThumbnailUrl,
        StatusText(view.Status),
        view.Record.Disabled,
        view.Record.ManualIngest,
        view.Record.CreatedAt,
        view.Record.UpdatedAt,
        view.WhipUrl,
        view.WhepUrl,
        view.WatchUrl,
        view.LiveViewers,
        view.Ingest,
        new RecordingSettingDto(view.Record.RecordingMode),
        RenditionLadder.Names(LadderSetting.Effective(view.Record.Renditions, app.DefaultRenditions)),
        view.RenditionStatus,
        view.Record.RequireTls,
        view.Record.TranscriptionEnabled);

    public static string StatusText(LivestreamStatus status) => status.ToString().ToUpperInvariant();
}

/// <summary>What is coming in while a livestream is live (null otherwise): protocol, bitrate, codecs and picture size.</summary>
public sealed record IngestDto(
    string? Protocol, long BitsPerSecond, string? VideoCodec, int? Width, int? Height, string? AudioCodec, int? AudioSampleRate, int? AudioChannels)
{
    public static IngestDto From(Stagecast.Streaming.HubStream stream)
    {
        var video = stream.Video;
        var audio = stream.Audio;
        return new IngestDto(
            stream.Publisher?.Info.Protocol, stream.IngestBitsPerSecond, video?.CodecString, video?.Width, video?.Height, audio?.CodecString, audio?.SampleRate, audio?.Channels);
    }
}

/// <summary>A livestream's <c>recording</c> setting: <c>{"mode": "off" | "automatic"}</c>.</summary>
public sealed record RecordingSettingDto(string Mode);

/// <summary>
/// An encode of a live livestream and its state since when: <c>STARTING</c> (no picture yet), <c>LIVE</c> (listed to
/// players), <c>LAGGING</c> (fell behind its source; left out until it catches up), <c>REFUSED</c> (not encoded:
/// <see cref="Reason"/> names the limit of encodes at once it would have passed; null otherwise).
/// </summary>
public sealed record RenditionStatusDto(string Name, string Status, DateTimeOffset Since, string? Reason)
{
    public static RenditionStatusDto From(RenditionStatus status) => new(status.Rendition.Name, StatusText(status.State), status.Since, status.Reason);

    public static string StatusText(RenditionState state) => state.ToString().ToUpperInvariant();
}
