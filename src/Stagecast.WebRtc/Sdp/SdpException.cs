namespace Stagecast.WebRtc.Sdp;

/// <summary>An offer Stagecast cannot answer; the message says why, for the HTTP error envelope.</summary>
public sealed class SdpException(string message) : Exception(message);
