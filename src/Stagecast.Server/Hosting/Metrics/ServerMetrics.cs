using System.Diagnostics.Metrics;
using Stagecast.Hls;
using Stagecast.Restream;
using Stagecast.Rtmp.Server;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Outputs;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;
using Stagecast.Streaming.Metrics;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Hosting.Metrics;

/// <summary>
/// This server's instruments (<see cref="System.Diagnostics.Metrics"/>), exposed by <see cref="PrometheusExporter"/>.
/// Per-livestream series carry a <c>livestream_id</c> label for live streams only, so their number stays bounded
/// by what is on air; everything else is labelled by a small fixed set (state, outcome, route, status).
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    private const string LivestreamLabel = "livestream_id";
    private long _pendingWebhooks;

    public ServerMetrics(
        StreamHub hub, HlsStreamRegistry hls, LiveViewers viewers, OutputManager outputs, WebhookMetrics webhooks, WebRtcTransport webRtc, RtmpAdmission rtmp, HttpConnectionLimits httpConnections)
    {
        Meter = new Meter("Stagecast.Server");
        HttpRequests = Meter.CreateCounter<long>("stagecast_http_requests_total", description: "HTTP requests answered, by route template and status code.");

        Meter.CreateObservableGauge("stagecast_streams_live", () => hub.Streams.Count, description: "Live streams (publishing or within the reconnect window).");
        Meter.CreateObservableGauge("stagecast_publishers", () => hub.Streams.Count(s => s.Publisher is not null), description: "Connected publishers.");
        Meter.CreateObservableCounter("stagecast_ingest_frames_total", () => MediaMetrics.FramesIn, description: "Media frames received.");
        Meter.CreateObservableCounter("stagecast_ingest_bytes_total", () => MediaMetrics.BytesIn, description: "Media payload bytes received.");
        Meter.CreateObservableCounter("stagecast_dropped_frames_total", () => MediaMetrics.DroppedFrames, description: "Frames dropped by readers that fell behind (HLS, restream).");
        Meter.CreateObservableCounter("stagecast_hls_parts_total", () => MediaMetrics.HlsParts, description: "Partial segments listed.");
        Meter.CreateObservableGauge("stagecast_hls_players", () => hls.All.Sum(s => s.Viewers.ActivePlayers(LiveViewers.Window)), description: $"HLS players that fetched media in the last {LiveViewers.Window.TotalSeconds} s.");
        Meter.CreateObservableGauge("stagecast_http_connections", () => httpConnections.Connections, description: "HTTP connections open.");
        Meter.CreateObservableCounter("stagecast_http_connections_refused_total", () => httpConnections.RefusedConnections, description: "HTTP connections refused at accept (connection caps), answered 503.");
        Meter.CreateObservableGauge("stagecast_rtmp_connections", () => rtmp.Connections, description: "RTMP connections open.");
        Meter.CreateObservableGauge("stagecast_rtmp_buffered_bytes", () => rtmp.BufferedBytes, description: "Bytes of incomplete RTMP messages buffered across connections.");
        Meter.CreateObservableCounter("stagecast_rtmp_connections_refused_total", () => rtmp.RefusedConnections, description: "RTMP connections refused at accept (connection caps, buffer budget).");
        Meter.CreateObservableCounter("stagecast_rtmp_connections_closed_for_buffers_total", () => rtmp.ClosedForBuffers, description: "RTMP connections closed for buffering more than allowed.");
        Meter.CreateObservableGauge("stagecast_webrtc_sessions", () => webRtc.SessionCount, description: "WHIP and WHEP sessions (connecting or connected).");
        Meter.CreateObservableCounter("stagecast_webrtc_sessions_refused_total", () => webRtc.RefusedSessions, description: "WHIP and WHEP offers refused for the session caps (total, per address).");
        Meter.CreateObservableCounter("stagecast_webrtc_sessions_past_deadline_total", () => webRtc.SessionsPastDeadline, description: "WebRTC sessions dropped because ICE and DTLS did not complete within the connect deadline.");

        Meter.CreateObservableGauge("stagecast_livestream_ingest_bits_per_second", () => PerLivestream(hub, s => s.IngestBitsPerSecond), description: "Media bits per second received over the last second, per live stream.");
        Meter.CreateObservableCounter("stagecast_livestream_ingest_frames_total", () => PerLivestream(hub, s => s.FramesIn), description: "Media frames received by the live stream's current broadcast.");
        Meter.CreateObservableCounter("stagecast_livestream_ingest_bytes_total", () => PerLivestream(hub, s => s.BytesIn), description: "Media bytes received by the live stream's current broadcast.");
        Meter.CreateObservableCounter("stagecast_livestream_dropped_frames_total", () => PerLivestream(hub, s => s.DroppedFrames), description: "Frames the live stream's readers dropped because they fell behind.");
        Meter.CreateObservableGauge("stagecast_livestream_live_viewers", () => PerLivestream(hub, s => viewers.Count(s.Id)), description: "Players watching the live stream now (HLS and WHEP).");
        Meter.CreateObservableGauge("stagecast_livestream_part_listing_delay_seconds", () => PerLivestream(hub, s => hls.TryGet(s, out var output) ? output.LastPartListingDelay.TotalSeconds : 0), description: "How long after its last frame arrived the live stream's newest part was listed.");

        Meter.CreateObservableGauge("stagecast_restream_outputs", () =>
            Enum.GetValues<RestreamStatus>().Where(s => s != RestreamStatus.Idle).Select(status =>
                new Measurement<int>(outputs.RunningStatuses.Count(s => s == status), new KeyValuePair<string, object?>("state", status.ToString().ToLowerInvariant()))),
            description: "Restream outputs being pushed, by state.");
        Meter.CreateObservableCounter("stagecast_webhook_deliveries_total", () => new[]
        {
            Outcome(webhooks.Delivered, "delivered"), Outcome(webhooks.Failed, "failed"), Outcome(webhooks.Retried, "retried"),
        }, description: "Webhook delivery attempts by outcome: delivered, failed (given up), retried (will be tried again).");
        Meter.CreateObservableGauge("stagecast_webhook_deliveries_pending", () => Interlocked.Read(ref _pendingWebhooks), description: "Webhook deliveries waiting to go out.");

        Meter.CreateObservableCounter("process_cpu_seconds_total", () => Environment.CpuUsage.TotalTime.TotalSeconds, description: "CPU time used by the process (user and system).");
        Meter.CreateObservableGauge("process_resident_memory_bytes", () => Environment.WorkingSet, description: "The process's resident memory.");
        Meter.CreateObservableGauge("dotnet_gc_heap_bytes", () => GC.GetTotalMemory(false), description: "Bytes on the managed heap.");
        Meter.CreateObservableCounter("dotnet_allocated_bytes_total", () => GC.GetTotalAllocatedBytes(), description: "Bytes allocated on the managed heap.");
        Meter.CreateObservableCounter("dotnet_gc_collections_total", () => GC.CollectionCount(0), description: "Garbage collections (all generations).");
    }

    public Meter Meter { get; }

    public Counter<long> HttpRequests { get; }

    /// <summary>The one figure read from the database, refreshed before each scrape (observers must not block).</summary>
    public void SetPendingWebhooks(long pending) => Interlocked.Exchange(ref _pendingWebhooks, pending);

    public void Dispose() => Meter.Dispose();

    private static IEnumerable<Measurement<double>> PerLivestream(StreamHub hub, Func<LiveStream, double> value) =>
        hub.Streams.Select(s => new Measurement<double>(value(s), new KeyValuePair<string, object?>(LivestreamLabel, s.Id)));

    private static Measurement<long> Outcome(long value, string outcome) => new(value, new KeyValuePair<string, object?>("outcome", outcome));
}
