using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// An app's own message to the peers of a meeting (RealtimeKit's <c>participants.broadcastMessage(type, payload)</c>):
/// a type the app chose and a JSON object, passed on as it came and never stored. <see cref="From"/> is the peer that
/// sent it, null when the app's server did (REST).
/// </summary>
public sealed record AppMessage(string Type, ReadOnlyMemory<byte> PayloadUtf8, RoomPeer? From, DateTimeOffset SentAt)
{
    /// <summary>Characters in a type: RealtimeKit's SDK sets no bound (only a non-empty one); a name, not data.</summary>
    public const int MaxTypeLength = 100;

    /// <summary>
    /// Bytes of the payload as UTF-8 JSON. The SDK sets no bound; 8 KiB carries a bid, a reaction, a cursor or a
    /// whiteboard stroke, and fits the JSON channel's 16 KiB message with its envelope.
    /// </summary>
    public const int MaxPayloadBytes = 8 * 1024;

    /// <summary>A message from its type and its payload's UTF-8 JSON text, which must be an object; refused (400, 413) naming the problem.</summary>
    public static AppMessage Create(string? type, ReadOnlyMemory<byte> payloadUtf8, RoomPeer? from, DateTimeOffset sentAt)
    {
        if (string.IsNullOrWhiteSpace(type) || type.Length > MaxTypeLength)
        {
            throw new DomainException(DomainError.BadRequest, $"the message's type must be 1 to {MaxTypeLength} characters, not only spaces");
        }

        if (payloadUtf8.Length > MaxPayloadBytes)
        {
            throw new DomainException(DomainError.TooLarge, $"the message's payload must be at most {MaxPayloadBytes} bytes of JSON");
        }

        try
        {
            JsonSyntax.CheckObject(payloadUtf8.Span); // the room passes the text on as it is (no tokens at all fail here too)
        }
        catch (ApiException)
        {
            throw new DomainException(DomainError.BadRequest, "the message's payload must be a JSON object");
        }

        return new AppMessage(type, payloadUtf8.ToArray(), from, sentAt);
    }
}
