using System.Buffers;
using System.Buffers.Binary;
using Stagecast.Rtmp.Chunking;

namespace Stagecast.Rtmp.Messages;

/// <summary>Writes protocol control messages (RTMP spec 5.4) and User Control events (7.1.7) on chunk stream 2.</summary>
public static class ProtocolControl
{
    public static void WriteSetChunkSize(ChunkWriter writer, IBufferWriter<byte> output, int size) =>
        WriteUInt32Message(writer, output, RtmpMessageType.SetChunkSize, (uint)size);

    public static void WriteWindowAcknowledgementSize(ChunkWriter writer, IBufferWriter<byte> output, uint size) =>
        WriteUInt32Message(writer, output, RtmpMessageType.WindowAcknowledgementSize, size);

    public static void WriteAcknowledgement(ChunkWriter writer, IBufferWriter<byte> output, uint sequenceNumber) =>
        WriteUInt32Message(writer, output, RtmpMessageType.Acknowledgement, sequenceNumber);

    /// <summary>Set Peer Bandwidth; limit type 2 = dynamic.</summary>
    public static void WriteSetPeerBandwidth(ChunkWriter writer, IBufferWriter<byte> output, uint size, byte limitType)
    {
        Span<byte> payload = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(payload, size);
        payload[4] = limitType;
        writer.Write(output, ChunkStreams.ProtocolControl, 0, RtmpMessageType.SetPeerBandwidth, 0, payload);
    }

    public static void WriteUserControl(ChunkWriter writer, IBufferWriter<byte> output, UserControlEvent type, uint value)
    {
        Span<byte> payload = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)type);
        BinaryPrimitives.WriteUInt32BigEndian(payload[2..], value);
        writer.Write(output, ChunkStreams.ProtocolControl, 0, RtmpMessageType.UserControl, 0, payload);
    }

    /// <summary>Reads the 32-bit value of a SetChunkSize, Abort, Acknowledgement or Window Ack Size message.</summary>
    public static uint ReadUInt32(ReadOnlySpan<byte> payload, RtmpMessageType type)
    {
        if (payload.Length < 4)
        {
            throw new RtmpProtocolException($"{type} message of {payload.Length} bytes, 4 expected");
        }

        return BinaryPrimitives.ReadUInt32BigEndian(payload);
    }

    private static void WriteUInt32Message(ChunkWriter writer, IBufferWriter<byte> output, RtmpMessageType type, uint value)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, value);
        writer.Write(output, ChunkStreams.ProtocolControl, 0, type, 0, payload);
    }
}
