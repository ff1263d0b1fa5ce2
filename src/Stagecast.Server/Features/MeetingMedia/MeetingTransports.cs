using Microsoft.Extensions.Options;
using Stagecast.Streaming;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whep;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>
/// Makes the WebRTC connections of meeting peers, the only place that does (mediasoup's worker, as its routers ask):
/// each router's WHIP publishes and WHEP subscriptions (<see cref="MeetingRouter.Publish"/>, <see cref="MeetingRouter.Subscribe"/>),
/// and a RealtimeKit client's two transports, which it makes before it joins a room and its router adopts at the join
/// (<see cref="MeetingRouter.AddTransport"/>). Front ends register what is made with the WebRTC server and answer it.
/// </summary>
public sealed class MeetingTransports(WebRtcTransport transport, MeetingMediaHub tracks, IOptions<MeetingMediaOptions> options, ILoggerFactory loggers)
{
    public WebRtcTransport Transport => transport;

    /// <summary>
    /// A RealtimeKit client's first offer on one of its connections: its receive transport (<paramref name="consuming"/>),
    /// a send transport that publishes what it is given, or, when its preset may send nothing, one that stays idle.
    /// </summary>
    public WebRtcSession Open(bool consuming, bool mayPublish, SdpSessionDescription offer, PublishNegotiation negotiation, string clientAddress) =>
        consuming ? new SfuReceiveSession(transport, offer, negotiation.Media, clientAddress)
            : !mayPublish ? new SfuIdleSession(transport, offer, clientAddress)
            : new SfuPublisher(transport, offer, negotiation, clientAddress, tracks.Hub, options.Value.MediaTimeout, loggers.CreateLogger<SfuPublisher>());

    /// <summary>A WHIP publish of one stream, whose publication tells <paramref name="router"/>.</summary>
    internal SfuPublisher Publisher(SdpSessionDescription offer, PublishNegotiation negotiation, string clientAddress, MeetingStreamKey stream, MeetingRouter router) =>
        new(transport, offer, negotiation, clientAddress, tracks.Hub, stream.HubId, router, options.Value.MediaTimeout, loggers.CreateLogger<SfuPublisher>());

    /// <summary>A WHEP subscription to one stream, its video read from one of <paramref name="layers"/> (the stream's simulcast layers, itself first; or none).</summary>
    internal ForwardingWhepSession Subscription(SdpSessionDescription offer, WhepNegotiation negotiation, string clientAddress, HubStream stream, IReadOnlyList<HubStream> layers) =>
        new(transport, offer, negotiation, clientAddress, stream, loggers.CreateLogger<WhepSession>(), layers);
}
