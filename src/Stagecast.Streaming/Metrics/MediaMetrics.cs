using System.Diagnostics.Metrics;

namespace Stagecast.Streaming.Metrics;

/// <summary>Process-wide counters of the media plane, read by the /metrics endpoint and the benchmarks.</summary>
public static class MediaMetrics
{
    /// <summary>The media plane's own instruments (histograms of delays), shared by every server in the process.</summary>
    public static Meter Meter { get; } = new("Stagecast.Media");

    private static long _framesIn;
    private static long _bytesIn;
    private static long _droppedFrames;
    private static long _hlsParts;

    /// <summary>From the arrival of a part's last frame to the part being listed in the playlist.</summary>
    public static Histogram<double> PartListingDelay { get; } = DelayHistogram(
        "stagecast_hls_part_listing_delay_seconds", "From the arrival of a part's last frame to its listing.", [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);

    /// <summary>A histogram of delays in seconds, with the buckets Prometheus should expose.</summary>
    public static Histogram<double> DelayHistogram(string name, string description, double[] buckets) =>
        Meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });

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
        PartListingDelay.Record(delay.TotalSeconds);
    }
}
