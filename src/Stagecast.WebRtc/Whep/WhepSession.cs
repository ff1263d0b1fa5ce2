using Microsoft.Extensions.Logging;
using Stagecast.Streaming;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Whep;

/// <summary>
/// A WHEP viewer of a live stream: what both kinds share. <see cref="HubWhepSession"/> sends the hub's frames,
/// packetized; <see cref="ForwardingWhepSession"/> forwards a WebRTC publisher's RTP as it came.
/// </summary>
public abstract class WhepSession(WebRtcTransport transport, SdpSessionDescription offer, WhepNegotiation negotiation, string clientAddress, HubStream stream, ILogger logger)
    : WebRtcSession(transport, offer, clientAddress)
{
    public string StreamId => Stream.Id;

    protected HubStream Stream { get; } = stream;

    public WhepNegotiation Negotiation { get; } = negotiation;

    protected ILogger Logger { get; } = logger;

    protected override void OnRtp(byte[] buffer, int length)
    {
        // A viewer sends no media.
    }
}
