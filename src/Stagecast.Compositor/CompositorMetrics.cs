using System.Diagnostics.Metrics;
using Stagecast.Streaming.Metrics;

namespace Stagecast.Compositor;

/// <summary>The compositor's instruments, process-wide (meter <c>Stagecast.Compositor</c>), for /metrics and the benchmark.</summary>
public static class CompositorMetrics
{
    private static int _programs;

    public static Meter Meter { get; } = new("Stagecast.Compositor");

    /// <summary>
    /// From a participant's coded frame complete at the server (handed to its decoder) to the first program frame that
    /// shows its picture coming out of the program's encoder.
    /// </summary>
    public static Histogram<double> Delay { get; } = StreamingMetrics.DelayHistogram(Meter,
        "stagecast_compositor_delay_seconds", "From a participant's frame complete at the server to the program frame showing it leaving the encoder.",
        [0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 1]);

    /// <summary>Program pictures handed to the encoder, every program together.</summary>
    public static Counter<long> Frames { get; } = Meter.CreateCounter<long>("stagecast_compositor_frames_total",
        description: "Program pictures handed to the encoder (every meeting program together).");

    /// <summary>Program frame slots without a picture, by <c>reason</c>: <see cref="Late"/> or <see cref="EncoderBehind"/>.</summary>
    public static Counter<long> DroppedFrames { get; } = Meter.CreateCounter<long>("stagecast_compositor_dropped_frames_total",
        description: "Program frame slots that got no picture: reason=late (the program's tick came after the slot: short of CPU) or reason=encoder_behind (the encoder's queue was full).");

    public static KeyValuePair<string, object?> Late { get; } = new("reason", "late");

    public static KeyValuePair<string, object?> EncoderBehind { get; } = new("reason", "encoder_behind");

    static CompositorMetrics()
    {
        Meter.CreateObservableGauge("stagecast_compositor_programs", () => Volatile.Read(ref _programs), description: "Meeting programs running.");
    }

    internal static void ProgramStarted()
    {
        Interlocked.Increment(ref _programs);
        DroppedFrames.Add(0, Late); // the series exist from the first program on, so a rate over them is never empty
        DroppedFrames.Add(0, EncoderBehind);
    }

    internal static void ProgramStopped() => Interlocked.Decrement(ref _programs);
}
