using Stagecast.Media.Codecs;

namespace Stagecast.Streaming;

/// <summary>
/// A live stream's newest video keyframe as <see cref="HubStream.TakeLatestKeyframe"/> hands it out: the access unit
/// (a reference to the shared frame, returned by <see cref="Dispose"/>), the configuration it decodes with, and its
/// number in the stream's run of keyframes (the same number is the same picture).
/// </summary>
public sealed class StreamKeyframe : IDisposable
{
    private MediaFrame? _frame;

    internal StreamKeyframe(MediaFrame frame, VideoTrackConfig config, long number)
    {
        _frame = frame;
        Config = config;
        Number = number;
    }

    public VideoTrackConfig Config { get; }

    /// <summary>1 for the stream's first keyframe, one more for each after it.</summary>
    public long Number { get; }

    /// <summary>The access unit: length-prefixed NAL units (AVC, HEVC) or OBUs (AV1).</summary>
    public ReadOnlySpan<byte> Payload => (_frame ?? throw new ObjectDisposedException(nameof(StreamKeyframe))).Span;

    public void Dispose() => Interlocked.Exchange(ref _frame, null)?.Release();
}
