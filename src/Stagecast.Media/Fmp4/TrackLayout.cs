using Stagecast.Media.Codecs;

namespace Stagecast.Media.Fmp4;

/// <summary>Track ids of a muxed fMP4 rendition: video is track 1 when present, audio follows.</summary>
public readonly record struct TrackLayout(VideoTrackConfig? Video, AudioTrackConfig? Audio)
{
    public const int VideoTimescale = 90000;

    public uint VideoTrackId => Video is null ? 0u : 1u;

    public uint AudioTrackId => Audio is null ? 0u : (Video is null ? 1u : 2u);

    public int AudioTimescale => Audio?.SampleRate ?? 0;

    public bool IsEmpty => Video is null && Audio is null;
}
