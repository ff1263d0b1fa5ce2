using System.Globalization;
using System.Text;
using Stagecast.Hls;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Outputs;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Streaming;
using Stagecast.Streaming.Metrics;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Hosting;

/// <summary>GET /metrics: the media plane in Prometheus text format (for operators and the benchmarks).</summary>
public static class MetricsEndpoints
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", async (StreamHub hub, HlsStreamRegistry hls, OutputManager outputs, WebhookMetrics webhooks, IWebhookStore webhookStore,
            WebRtcTransport webRtc, CancellationToken cancel) =>
        {
            var text = new StringBuilder();
            Gauge(text, "stagecast_streams_live", "Live streams (publishing or within the reconnect window).", hub.Streams.Count);
            Gauge(text, "stagecast_publishers", "Connected publishers.", hub.Streams.Count(s => s.Publisher is not null));
            Counter(text, "stagecast_ingest_frames_total", "Media frames received.", MediaMetrics.FramesIn);
            Counter(text, "stagecast_ingest_bytes_total", "Media payload bytes received.", MediaMetrics.BytesIn);
            Counter(text, "stagecast_dropped_frames_total", "Frames dropped by readers that fell behind (HLS, restream).", MediaMetrics.DroppedFrames);
            Counter(text, "stagecast_hls_parts_total", "Partial segments listed.", MediaMetrics.HlsParts);
            Gauge(text, "stagecast_hls_players", "Players that fetched media in the last 10 s.", hls.All.Sum(s => s.Viewers.ActivePlayers(TimeSpan.FromSeconds(10))));
            Gauge(text, "stagecast_restream_outputs_running", "Restream outputs running.", outputs.RunningCount);
            Counter(text, "stagecast_webhook_deliveries_delivered_total", "Webhook deliveries a receiver accepted.", webhooks.Delivered);
            Counter(text, "stagecast_webhook_deliveries_failed_total", "Webhook deliveries given up (refused with a 4xx, or retried past the retry period).", webhooks.Failed);
            Counter(text, "stagecast_webhook_delivery_retries_total", "Webhook delivery attempts that will be retried (5xx, 429, timeouts, network errors).", webhooks.Retried);
            Gauge(text, "stagecast_webhook_deliveries_pending", "Webhook deliveries waiting to go out.", await webhookStore.CountPendingAsync(cancel).ConfigureAwait(false));
            Counter(text, "dotnet_allocated_bytes_total", "Bytes allocated on the managed heap.", GC.GetTotalAllocatedBytes());
            Counter(text, "dotnet_gc_collections_total", "Garbage collections (all generations).", GC.CollectionCount(0));
            Histogram(text, "stagecast_hls_part_listing_delay_seconds", "From the arrival of a part's last frame to its listing.", MediaMetrics.PartListingDelay);
            Gauge(text, "stagecast_webrtc_sessions", "WHIP and WHEP sessions (connecting or connected).", webRtc.SessionCount);
            Histogram(text, "stagecast_whep_forward_delay_seconds", "From a WHIP publisher's RTP packet arriving to the same packet sent to a WHEP viewer.", WebRtcMetrics.ForwardDelay);
            Histogram(text, "stagecast_whep_hub_delay_seconds", "From the hub accepting a frame to its RTP packets sent to a WHEP viewer.", WebRtcMetrics.HubDelay);
            return Results.Text(text.ToString(), "text/plain; version=0.0.4");
        }).ExcludeFromDescription();
        return endpoints;
    }

    private static void Gauge(StringBuilder text, string name, string help, double value) => Write(text, name, help, "gauge", value);

    private static void Counter(StringBuilder text, string name, string help, double value) => Write(text, name, help, "counter", value);

    private static void Write(StringBuilder text, string name, string help, string type, double value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n{name} {value}\n");

    private static void Histogram(StringBuilder text, string name, string help, LatencyHistogram histogram)
    {
        var (cumulative, sum) = histogram.Snapshot();
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
        for (int i = 0; i < histogram.Bounds.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"{histogram.Bounds[i]}\"}} {cumulative[i]}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"+Inf\"}} {cumulative[^1]}\n{name}_sum {sum}\n{name}_count {cumulative[^1]}\n");
    }
}
