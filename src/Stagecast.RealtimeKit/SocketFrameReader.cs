using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol;

namespace Stagecast.RealtimeKit;

/// <summary>
/// Reads what a RealtimeKit client sends on <c>wss://socket-edge.&lt;base&gt;/ws</c>. Every binary WebSocket message is
/// one <see cref="SocketMessage"/>:
/// <code>
/// field 1 event     varint   (RealtimeKitEvents)
/// field 2 id        string   "&lt;peerId&gt;-&lt;random&gt;" on a request, echoed by its reply; absent on a push
/// field 3 payload   bytes    the event's own message
/// field 4 metadata  bytes    JSON {"TRACEPARENT": ...}
/// </code>
/// Text messages are pings, not frames, and are the server's concern: against any host but Cloudflare's the client
/// advertises the PING capability, then expects the server to send <c>"2"</c> at least every 30 s (or it drops and
/// reconnects), answers each with <c>"3"</c> and never pings on its own.
/// </summary>
public static class SocketFrameReader
{
    /// <summary>
    /// Reads one complete binary WebSocket message. The server should also refuse a message over
    /// <paramref name="maxSize"/> while assembling its fragments, before buffering them.
    /// </summary>
    /// <exception cref="RealtimeKitProtocolException">Over the limit, or not a SocketMessage.</exception>
    public static SocketMessage Read(
        ReadOnlySpan<byte> message, int maxSize = RealtimeKitLimits.MaxSocketMessageSize)
    {
        if (message.Length > maxSize)
        {
            throw new RealtimeKitProtocolException(
                $"socket message of {message.Length} bytes is over the limit of {maxSize}");
        }
        try
        {
            return SocketMessage.Parser.ParseFrom(message);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RealtimeKitProtocolException($"malformed socket message: {e.Message}", e);
        }
    }

    /// <summary>
    /// Reads a message's payload as the message its event carries; an absent payload reads as the empty message,
    /// as the SDK sends some requests (<c>chat.getMessages</c>, <c>room.getRoomPeersInfo</c>) without one.
    /// </summary>
    /// <exception cref="RealtimeKitProtocolException">The payload is not a <typeparamref name="T"/>.</exception>
    public static T ReadPayload<T>(SocketMessage message, MessageParser<T> parser)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(parser);
        try
        {
            return parser.ParseFrom(message.Payload.Span);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RealtimeKitProtocolException(
                $"malformed payload of event 0x{message.Event:x}: {e.Message}", e);
        }
    }
}
