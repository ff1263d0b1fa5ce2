namespace Stagecast.Streaming;

/// <summary>
/// How a track published as RTP is encoded, as SDP names it (<c>VP8/90000</c>, <c>H264/90000</c> with its fmtp,
/// <c>opus/48000/2</c>): what a forwarding reader must negotiate to take the packets as they are.
/// </summary>
public sealed record RtpTrackFormat(string EncodingName, int ClockRate, int Channels, string Fmtp);
