namespace Stagecast.Testing.RealtimeKit;

/// <summary>
/// One WebSocket frame the page sent (<paramref name="Sent"/>) or received on the socket at <paramref name="Url"/>:
/// <paramref name="Binary"/> for the SDK's protobuf messages, <paramref name="Text"/> for its pings ("2", "3").
/// </summary>
public sealed record SocketFrame(bool Sent, string Url, byte[]? Binary, string? Text);
