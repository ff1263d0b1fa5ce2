using System.Diagnostics.Metrics;

namespace Stagecast.Transcoding;

/// <summary>The transcoders' instruments, process-wide (meter <c>Stagecast.Transcoding</c>), for /metrics and the benchmark.</summary>
public static class TranscodeMetrics
{
    private static int _transcoders;
    private static int _liveRenditions;

    public static Meter Meter { get; } = new("Stagecast.Transcoding");

    /// <summary>Renditions dropped from their playlist because they fell behind the source (or their ffmpeg was down).</summary>
    public static Counter<long> Lagging { get; } = Meter.CreateCounter<long>("stagecast_rendition_lagging_total",
        description: "Times a rendition fell further behind its source than the lag limit and left the playlist.");

    /// <summary>Source frames not given to a transcoder's ffmpeg because its input queue was full (then up to the next keyframe).</summary>
    public static Counter<long> DroppedFrames { get; } = Meter.CreateCounter<long>("stagecast_transcode_dropped_frames_total",
        description: "Source frames a transcoder's ffmpeg did not get because it was behind (its input queue full, then up to the next keyframe).");

    /// <summary>Encodes not made because they would have passed a quota of encodes at once (<see cref="RenditionQuota"/>).</summary>
    public static Counter<long> Refused { get; } = Meter.CreateCounter<long>("stagecast_renditions_refused_total",
        description: "Renditions not encoded because they would have passed the account's or the server's limit of encodes at once.");

    static TranscodeMetrics()
    {
        Meter.CreateObservableGauge("stagecast_transcoders", () => Volatile.Read(ref _transcoders), description: "Live streams whose renditions an ffmpeg is encoding.");
        Meter.CreateObservableGauge("stagecast_renditions_live", () => Volatile.Read(ref _liveRenditions), description: "Renditions keeping up with their source (listed in playlists).");
    }

    internal static void TranscoderStarted()
    {
        Interlocked.Increment(ref _transcoders);
        Lagging.Add(0); // the series exist from the first transcoder on, so a rate over them is never empty
        DroppedFrames.Add(0);
    }

    internal static void TranscoderStopped() => Interlocked.Decrement(ref _transcoders);

    internal static void RenditionLive() => Interlocked.Increment(ref _liveRenditions);

    internal static void RenditionNotLive() => Interlocked.Decrement(ref _liveRenditions);
}
