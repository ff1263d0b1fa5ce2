using Stagecast.RealtimeKit;

namespace Stagecast.Testing.RealtimeKit;

/// <summary>
/// One WebSocket frame the page sent (<paramref name="Sent"/>) or received on the socket at <paramref name="Url"/>:
/// <paramref name="Binary"/> for the SDK's protobuf messages, <paramref name="Text"/> for its pings ("2", "3"), seen at
/// <paramref name="At"/> (the test's clock).
/// </summary>
public sealed record SocketFrame(bool Sent, string Url, byte[]? Binary, string? Text, DateTimeOffset At)
{
    /// <summary>
    /// Playwright gives every frame both as bytes and as text, whatever its opcode. The protocol's only text frames
    /// are the pings "2" and "3"; a binary SocketMessage never is one byte '2' or '3' (it starts with field 1's tag, 0x08).
    /// </summary>
    public static SocketFrame Of(bool sent, string url, Microsoft.Playwright.IWebSocketFrame frame) =>
        frame.Text is "2" or "3"
            ? new(sent, url, null, frame.Text, TimeProvider.System.GetUtcNow())
            : new(sent, url, frame.Binary, null, TimeProvider.System.GetUtcNow());

    /// <summary>The SocketMessage's event, or null for a ping or a frame of another socket that is not one.</summary>
    public uint? Event
    {
        get
        {
            try
            {
                return Binary is null ? null : SocketFrameReader.Read(Binary).Event;
            }
            catch (RealtimeKitProtocolException)
            {
                return null;
            }
        }
    }

    /// <summary>The socket's path, which tells the page's sockets apart (not its query, which carries the token).</summary>
    public string Path => Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? uri.AbsolutePath : "?";

    public override string ToString() =>
        $"{At:HH:mm:ss.fff} {Path} {(Sent ? "→" : "←")} {(Event is { } e ? $"0x{e:x}" : Text ?? "?")} ({Binary?.Length ?? Text?.Length ?? 0} B)";
}
