using Stagecast.Media.Codecs;

namespace Stagecast.Streaming;

/// <summary>
/// The newest video keyframe, kept for a picture of the stream (thumbnails) apart from the GOP cache, which a GOP too
/// large for it leaves empty: the frame is shared with the readers, so keeping it costs a reference, not a copy.
/// </summary>
public sealed partial class HubStream
{
    private MediaFrame? _keyframe;
    private VideoTrackConfig? _keyframeConfig;
    private long _keyframeCount;

    /// <summary>How many video keyframes the stream has received: the number of its newest, 0 before the first.</summary>
    public long KeyframeCount => Interlocked.Read(ref _keyframeCount);

    /// <summary>The newest keyframe, with a reference for the caller to dispose; null before the first and once the stream ended.</summary>
    public StreamKeyframe? TakeLatestKeyframe()
    {
        lock (_sync)
        {
            return _keyframe is null ? null : new StreamKeyframe(_keyframe.Retain(), _keyframeConfig!, _keyframeCount);
        }
    }

    /// <summary>Keeps a video keyframe in place of the one before; caller holds <see cref="_sync"/>.</summary>
    private void KeepKeyframe(MediaFrame frame)
    {
        if (frame.Kind != MediaFrameKind.Video || !frame.IsKeyframe || Video is null)
        {
            return;
        }

        _keyframe?.Release();
        (_keyframe, _keyframeConfig) = (frame.Retain(), Video);
        Interlocked.Increment(ref _keyframeCount);
    }

    /// <summary>Lets the newest keyframe go (the stream ended); caller holds <see cref="_sync"/>.</summary>
    private void ReleaseKeyframe()
    {
        _keyframe?.Release();
        (_keyframe, _keyframeConfig) = (null, null);
    }
}
