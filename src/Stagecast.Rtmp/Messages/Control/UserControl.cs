using System.Buffers;
using System.Buffers.Binary;

namespace Stagecast.Rtmp.Messages.Control;

/// <summary>User Control messages (RTMP spec 6.2, 7.1.7): a 16-bit event type and its 32-bit value.</summary>
public static class UserControl
{
    /// <summary>The typed event, or null for events nothing here acts on (StreamEOF, SetBufferLength, ...).</summary>
    public static IRtmpMessage? Read(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 6)
        {
            throw new RtmpProtocolException($"User Control message of {payload.Length} bytes, at least 6 expected");
        }

        uint value = BinaryPrimitives.ReadUInt32BigEndian(payload[2..]);
        return (UserControlEvent)BinaryPrimitives.ReadUInt16BigEndian(payload) switch
        {
            UserControlEvent.StreamBegin => new StreamBegin(value),
            UserControlEvent.PingRequest => new PingRequest(value),
            UserControlEvent.PingResponse => new PingResponse(value),
            _ => null,
        };
    }

    internal static void Write(IBufferWriter<byte> payload, UserControlEvent type, uint value)
    {
        var span = payload.GetSpan(6);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)type);
        BinaryPrimitives.WriteUInt32BigEndian(span[2..], value);
        payload.Advance(6);
    }
}
