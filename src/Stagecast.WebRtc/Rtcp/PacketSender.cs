namespace Stagecast.WebRtc.Rtcp;

/// <summary>Sends one RTP or RTCP packet (protected and sent on the session's path by the caller).</summary>
public delegate void PacketSender(ReadOnlySpan<byte> packet);
