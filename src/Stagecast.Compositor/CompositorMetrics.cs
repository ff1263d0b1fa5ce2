using System.Diagnostics.Metrics;
using Stagecast.Streaming.Metrics;

namespace Stagecast.Compositor;

/// <summary>The compositor's instruments, process-wide (meter <c>Stagecast.Compositor</c>), for /metrics and the benchmark.</summary>
public static class CompositorMetrics
{
    public static Meter Meter { get; } = new("Stagecast.Compositor");

    /// <summary>
    /// From a participant's coded frame complete at the server (handed to its decoder) to the first program frame that
    /// shows its picture coming out of the program's encoder.
    /// </summary>
    public static Histogram<double> Delay { get; } = StreamingMetrics.DelayHistogram(Meter,
        "stagecast_compositor_delay_seconds", "From a participant's frame complete at the server to the program frame showing it leaving the encoder.",
        [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1]);
}
