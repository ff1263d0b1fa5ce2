using System.Diagnostics.Metrics;

namespace Stagecast.Streaming.Metrics;

/// <summary>
/// The hub's own instruments, process-wide (meter <c>Stagecast.Streaming</c>): media in and frames readers dropped.
/// Counted with one interlocked add per frame and read when scraped, which costs the media path nothing more.
/// </summary>
public static class StreamingMetrics
{
    public static Meter Meter { get; } = new("Stagecast.Streaming");

    private static long _framesIn;
    private static long _bytesIn;
    private static long _droppedFrames;

    static StreamingMetrics()
    {
        Meter.CreateObservableCounter("stagecast_ingest_frames_total", () => FramesIn, description: "Media frames received.");
        Meter.CreateObservableCounter("stagecast_ingest_bytes_total", () => BytesIn, description: "Media payload bytes received.");
        Meter.CreateObservableCounter("stagecast_dropped_frames_total", () => DroppedFrames, description: "Frames dropped by readers that fell behind (restream, viewers).");
    }

    public static long FramesIn => Interlocked.Read(ref _framesIn);

    public static long BytesIn => Interlocked.Read(ref _bytesIn);

    /// <summary>Frames readers dropped because they fell behind (restream outputs, WHEP viewers).</summary>
    public static long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    /// <summary>A histogram of delays in seconds on <paramref name="meter"/>, with the buckets Prometheus should expose.</summary>
    public static Histogram<double> DelayHistogram(Meter meter, string name, string description, double[] buckets) =>
        meter.CreateHistogram(name, "s", description, tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = buckets });

    internal static void FrameIn(int bytes)
    {
        Interlocked.Increment(ref _framesIn);
        Interlocked.Add(ref _bytesIn, bytes);
    }

    internal static void FrameDropped() => Interlocked.Increment(ref _droppedFrames);
}
