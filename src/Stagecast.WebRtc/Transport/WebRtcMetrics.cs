using System.Diagnostics.Metrics;
using Stagecast.Streaming.Metrics;

namespace Stagecast.WebRtc.Transport;

/// <summary>The WebRTC plane's own instruments, process-wide (meter <c>Stagecast.WebRtc</c>): its delays, for /metrics and the benchmark.</summary>
public static class WebRtcMetrics
{
    public static Meter Meter { get; } = new("Stagecast.WebRtc");

    /// <summary>
    /// Bounds of the delay histograms, finer from 1 to 5 ms: a quantile read from buckets is interpolated within one,
    /// and the fan-out's p95 at a few hundred viewers falls there (with 2 and 5 ms alone, it was a straight line across 3 ms).
    /// </summary>
    private static readonly double[] Buckets =
        [0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1];

    /// <summary>From a WHIP publisher's RTP packet arriving to the same packet sent to a WHEP viewer.</summary>
    public static Histogram<double> ForwardDelay { get; } = StreamingMetrics.DelayHistogram(Meter,
        "stagecast_whep_forward_delay_seconds", "From a WebRTC publisher's RTP packet arriving to the same packet sent to a subscriber (a WHEP viewer or a RealtimeKit consumer).", Buckets);

    /// <summary>From the hub accepting a frame (RTMP or WHIP) to its last RTP packet sent to a WHEP viewer.</summary>
    public static Histogram<double> HubDelay { get; } = StreamingMetrics.DelayHistogram(Meter,
        "stagecast_whep_hub_delay_seconds", "From the hub accepting a frame to its RTP packets sent to a WHEP viewer.", Buckets);

    /// <summary>When the packet being handled on this thread arrived (Stopwatch ticks).</summary>
    [ThreadStatic]
    internal static long PacketReceivedAt;

    /// <summary>
    /// How long the packet being handled on this thread had waited in the socket's queue when it was read: known on the
    /// shared UDP socket with congestion control on (<see cref="UdpMux"/>), zero elsewhere.
    /// </summary>
    [ThreadStatic]
    internal static TimeSpan PacketWaited;
}
