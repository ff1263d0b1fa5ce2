namespace Stagecast.Testing.WebRtc;

/// <summary>Sees one decrypted RTP or RTCP packet a <see cref="WebRtcClient"/> received; the span is reused afterwards.</summary>
public delegate void PacketHandler(ReadOnlySpan<byte> packet);
