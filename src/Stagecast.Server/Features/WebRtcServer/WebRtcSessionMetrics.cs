using System.Diagnostics.Metrics;
using Stagecast.Server.Hosting.Metrics;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Features.WebRtcServer;

/// <summary>WebRTC sessions' instruments (meter <c>Stagecast.WebRtc.Sessions</c>); the media plane's delays are on its own meter.</summary>
public sealed class WebRtcSessionMetrics : IFeatureMetrics
{
    public WebRtcSessionMetrics(IMeterFactory meters, WebRtcTransport webRtc)
    {
        var meter = meters.Create("Stagecast.WebRtc.Sessions");
        meter.CreateObservableGauge("stagecast_webrtc_sessions", () => webRtc.SessionCount, description: "WHIP and WHEP sessions (connecting or connected).");
        meter.CreateObservableCounter("stagecast_webrtc_sessions_refused_total", () => webRtc.RefusedSessions, description: "WHIP and WHEP offers refused for the session caps (total, per address).");
        meter.CreateObservableCounter("stagecast_webrtc_sessions_past_deadline_total", () => webRtc.SessionsPastDeadline, description: "WebRTC sessions dropped because ICE and DTLS did not complete within the connect deadline.");
    }
}
