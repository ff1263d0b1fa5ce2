namespace Stagecast.Testing.WebRtc;

/// <summary>
/// Answers a <see cref="WebRtcClient"/>'s SDP offer: a WHIP or WHEP POST, or a test that builds the server's session
/// in process and answers as the endpoint would.
/// </summary>
public delegate Task<string> Negotiate(string offer, CancellationToken cancellationToken);
