using System.Diagnostics.Metrics;
using Stagecast.Streaming.Metrics;

namespace Stagecast.Hls;

/// <summary>The LL-HLS packager's own instruments, process-wide (meter <c>Stagecast.Hls</c>).</summary>
public static class HlsMetrics
{
    public static Meter Meter { get; } = new("Stagecast.Hls");

    private static long _parts;

    static HlsMetrics() =>
        Meter.CreateObservableCounter("stagecast_hls_parts_total", () => Parts, description: "Partial segments listed.");

    /// <summary>From the arrival of a part's last frame to the part being listed in the playlist.</summary>
    public static Histogram<double> PartListingDelay { get; } = StreamingMetrics.DelayHistogram(Meter,
        "stagecast_hls_part_listing_delay_seconds", "From the arrival of a part's last frame to its listing.", [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]);

    public static long Parts => Interlocked.Read(ref _parts);

    internal static void PartListed(TimeSpan delay)
    {
        Interlocked.Increment(ref _parts);
        PartListingDelay.Record(delay.TotalSeconds);
    }
}
