using System.Diagnostics.Metrics;
using Stagecast.Server.Hosting.Metrics;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Features.WebRtcServer;

/// <summary>
/// WebRTC sessions' instruments (meter <c>Stagecast.WebRtc.Sessions</c>), and the subscribers' downlinks as their
/// congestion control sees them (read when scraped, from each subscriber connection's estimate); the media plane's delays
/// are on its own meter.
/// </summary>
public sealed class WebRtcSessionMetrics : IFeatureMetrics
{
    public WebRtcSessionMetrics(IMeterFactory meters, WebRtcTransport webRtc)
    {
        var meter = meters.Create("Stagecast.WebRtc.Sessions");
        meter.CreateObservableGauge("stagecast_webrtc_sessions", () => webRtc.SessionCount, description: "WHIP and WHEP sessions (connecting or connected).");
        meter.CreateObservableCounter("stagecast_webrtc_sessions_refused_total", () => webRtc.RefusedSessions, description: "WHIP and WHEP offers refused for the session caps (total, per address).");
        meter.CreateObservableCounter("stagecast_webrtc_sessions_past_deadline_total", () => webRtc.SessionsPastDeadline, description: "WebRTC sessions dropped because ICE and DTLS did not complete within the connect deadline.");
        meter.CreateObservableCounter("stagecast_webrtc_media_dropped_total", () => webRtc.MediaDropped,
            description: "Publishers' RTP packets dropped because the server could not keep up with them (their media worker's queue was full).");

        IEnumerable<ISubscriberConnection> Receiving() => webRtc.Sessions.OfType<ISubscriberConnection>(); // RealtimeKit's receive transports and WHEP viewers of WebRTC publishers
        meter.CreateObservableGauge("stagecast_webrtc_estimated_connections", () => Receiving().Count(s => s.Estimate is not null),
            description: "Subscriber connections with a downlink estimate (their client sends transport-wide feedback).");
        meter.CreateObservableGauge("stagecast_webrtc_constrained_connections", () => Receiving().Count(s => s.Estimate is { Constrained: true }),
            description: "Subscriber connections whose path has shown a limit: their video is shared within its estimate.");
        meter.CreateObservableGauge("stagecast_webrtc_estimate_bps", () => Receiving().Sum(s => s.Estimate?.EstimateBps ?? 0),
            description: "The subscriber connections' downlink estimates, summed (divide by stagecast_webrtc_estimated_connections for the mean).");
        meter.CreateObservableGauge("stagecast_webrtc_paused_video_consumers", () => Receiving().Sum(s => s.Consumers.Count(c => c.Video && c.Paused)),
            description: "Video tracks not sent to a subscriber now because its connection cannot carry them.");
        meter.CreateObservableCounter("stagecast_webrtc_layer_switches_total", () => webRtc.LayerSwitches,
            description: "Times a subscriber's video moved to another simulcast layer.");
        meter.CreateObservableCounter("stagecast_webrtc_video_pauses_total", () => webRtc.VideoPauses,
            description: "Times a subscriber's video was paused for its connection's estimate.");
    }
}
