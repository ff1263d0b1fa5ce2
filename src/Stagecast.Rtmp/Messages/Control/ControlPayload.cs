using System.Buffers;
using System.Buffers.Binary;

namespace Stagecast.Rtmp.Messages.Control;

/// <summary>The 32-bit big-endian fields protocol control messages are made of (RTMP spec 5.4).</summary>
internal static class ControlPayload
{
    public static uint ReadUInt32(ReadOnlySpan<byte> payload, string message, int length = 4)
    {
        if (payload.Length < length)
        {
            throw new RtmpProtocolException($"{message} message of {payload.Length} bytes, {length} expected");
        }

        return BinaryPrimitives.ReadUInt32BigEndian(payload);
    }

    public static void WriteUInt32(IBufferWriter<byte> payload, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(payload.GetSpan(4), value);
        payload.Advance(4);
    }
}
