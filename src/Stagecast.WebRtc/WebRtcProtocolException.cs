namespace Stagecast.WebRtc;

/// <summary>Bytes from the network that break a protocol (STUN, DTLS, SRTP, RTP, RTCP, SDP): the packet or request is refused.</summary>
public sealed class WebRtcProtocolException(string message) : Exception(message);
