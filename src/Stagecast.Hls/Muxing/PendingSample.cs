using Stagecast.Streaming;

namespace Stagecast.Hls.Muxing;

/// <summary>A frame waiting in the open part, with its decode time and duration in the track's timescale.</summary>
internal struct PendingSample(MediaFrame frame, long decodeTime, uint duration, int compositionOffset)
{
    public MediaFrame Frame { get; } = frame;

    public long DecodeTime { get; } = decodeTime;

    public uint Duration { get; set; } = duration;

    public int CompositionOffset { get; } = compositionOffset;
}
