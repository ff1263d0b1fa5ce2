namespace Stagecast.Rtmp;

/// <summary>The peer broke the RTMP protocol; the session closes that one connection.</summary>
public sealed class RtmpProtocolException(string message) : Exception(message);
