using System.Diagnostics.Metrics;
using Stagecast.Server.Hosting.Metrics;

namespace Stagecast.Server.Features.Thumbnails;

/// <summary>Thumbnails' instruments (meter <c>Stagecast.Thumbnails</c>): pictures answered, by where they came from, and ffmpeg's decodes.</summary>
public sealed class ThumbnailMetrics : IFeatureMetrics
{
    private long _cached;
    private long _decoded;
    private long _previous;
    private long _decodesOk;
    private long _decodesFailed;

    public ThumbnailMetrics(IMeterFactory meters)
    {
        var meter = meters.Create("Stagecast.Thumbnails");
        meter.CreateObservableCounter("stagecast_thumbnails_total", () => new[]
        {
            Labelled(Interlocked.Read(ref _cached), "answer", "cached"), Labelled(Interlocked.Read(ref _decoded), "answer", "decoded"), Labelled(Interlocked.Read(ref _previous), "answer", "previous"),
        }, description: "Thumbnails answered: the newest keyframe's picture already made (cached), made for the request (decoded), or an older keyframe's while the newest one's is made (previous).");
        meter.CreateObservableCounter("stagecast_thumbnail_decodes_total", () => new[]
        {
            Labelled(Interlocked.Read(ref _decodesOk), "outcome", "ok"), Labelled(Interlocked.Read(ref _decodesFailed), "outcome", "failed"),
        }, description: "Keyframes ffmpeg made a picture of (ok), or failed to in time (failed).");
    }

    public void Cached() => Interlocked.Increment(ref _cached);

    public void Decoded() => Interlocked.Increment(ref _decoded);

    public void Previous() => Interlocked.Increment(ref _previous);

    public void Decode(bool ok)
    {
        if (ok)
        {
            Interlocked.Increment(ref _decodesOk);
        }
        else
        {
            Interlocked.Increment(ref _decodesFailed);
        }
    }

    private static Measurement<long> Labelled(long value, string label, string name) =>
        new(value, new KeyValuePair<string, object?>(label, name));
}
