using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.WebRtc.Sfu;

/// <summary>
/// A client's connection that carries no media of ours yet: a RealtimeKit client's receiving connection before the
/// server sends it anything, or its sending one when its preset publishes nothing. ICE and DTLS run (the client waits
/// for the connection to come up); whatever it sends is dropped.
/// </summary>
public sealed class SfuIdleSession(WebRtcTransport transport, SdpSessionDescription offer, string clientAddress)
    : WebRtcSession(transport, offer, clientAddress)
{
    protected override void OnConnected()
    {
    }

    protected override void OnRtp(byte[] buffer, int length)
    {
    }

    protected override void OnRtcp(ReadOnlySpan<byte> packet)
    {
    }

    protected override void OnClosed(string reason)
    {
    }
}
