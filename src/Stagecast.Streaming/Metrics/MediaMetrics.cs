namespace Stagecast.Streaming.Metrics;

/// <summary>Process-wide counters of the media plane, read by the /metrics endpoint and the benchmarks.</summary>
public static class MediaMetrics
{
    private static long _framesIn;
    private static long _bytesIn;
    private static long _droppedFrames;
    private static long _hlsParts;

    /// <summary>From the arrival of a part's last frame to the part being listed in the playlist.</summary>
    public static LatencyHistogram PartListingDelay { get; } = new(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1);

    public static long FramesIn => Interlocked.Read(ref _framesIn);

    public static long BytesIn => Interlocked.Read(ref _bytesIn);

    /// <summary>Frames readers dropped because they fell behind (HLS packagers, restream outputs).</summary>
    public static long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    public static long HlsParts => Interlocked.Read(ref _hlsParts);

    public static void FrameIn(int bytes)
    {
        Interlocked.Increment(ref _framesIn);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    public static void FrameDropped() => Interlocked.Increment(ref _droppedFrames);

    public static void PartListed(TimeSpan delay)
    {
        Interlocked.Increment(ref _hlsParts);
        PartListingDelay.Record(delay);
    }
}
