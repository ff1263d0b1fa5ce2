using System.Diagnostics.Metrics;
using Stagecast.Hls;
using Stagecast.Server.Hosting.Metrics;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>
/// Livestreams' instruments (meter <c>Stagecast.Livestreams</c>). Per-livestream series carry a <c>livestream_id</c>
/// label for live streams only, so their number stays bounded by what is on air.
/// </summary>
public sealed class LivestreamMetrics : IFeatureMetrics
{
    private const string LivestreamLabel = "livestream_id";

    public LivestreamMetrics(IMeterFactory meters, StreamHub hub, HlsStreamRegistry hls, LiveViewers viewers)
    {
        var meter = meters.Create("Stagecast.Livestreams");
        meter.CreateObservableGauge("stagecast_streams_live", () => hub.Streams.Count, description: "Live streams (publishing or within the reconnect window).");
        meter.CreateObservableGauge("stagecast_publishers", () => hub.Streams.Count(s => s.Publisher is not null), description: "Connected publishers.");
        meter.CreateObservableGauge("stagecast_hls_players", () => hls.All.Sum(s => s.Viewers.ActivePlayers(LiveViewers.Window)), description: $"HLS players that fetched media in the last {LiveViewers.Window.TotalSeconds} s.");
        meter.CreateObservableGauge("stagecast_livestream_ingest_bits_per_second", () => PerLivestream(hub, s => s.IngestBitsPerSecond), description: "Media bits per second received over the last second, per live stream.");
        meter.CreateObservableCounter("stagecast_livestream_ingest_frames_total", () => PerLivestream(hub, s => s.FramesIn), description: "Media frames received by the live stream's current broadcast.");
        meter.CreateObservableCounter("stagecast_livestream_ingest_bytes_total", () => PerLivestream(hub, s => s.BytesIn), description: "Media bytes received by the live stream's current broadcast.");
        meter.CreateObservableCounter("stagecast_livestream_dropped_frames_total", () => PerLivestream(hub, s => s.DroppedFrames), description: "Frames the live stream's readers dropped because they fell behind.");
        meter.CreateObservableGauge("stagecast_livestream_live_viewers", () => PerLivestream(hub, s => viewers.Count(s.Id)), description: "Players watching the live stream now (HLS and WHEP).");
        meter.CreateObservableGauge("stagecast_livestream_part_listing_delay_seconds", () => PerLivestream(hub, s => hls.TryGet(s, out var output) ? output.LastPartListingDelay.TotalSeconds : 0), description: "How long after its last frame arrived the live stream's newest part was listed.");
    }

    private static IEnumerable<Measurement<double>> PerLivestream(StreamHub hub, Func<HubStream, double> value) =>
        hub.Streams.Select(s => new Measurement<double>(value(s), new KeyValuePair<string, object?>(LivestreamLabel, s.Id)));
}
