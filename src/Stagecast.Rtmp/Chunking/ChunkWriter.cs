using System.Buffers;
using System.Buffers.Binary;

namespace Stagecast.Rtmp.Chunking;

/// <summary>
/// Splits messages into chunks (RTMP spec 5.3), compressing headers against the previous message on the same
/// chunk stream. A type 3 header starts a new message only after a type 1 or 2 header with the same delta, the
/// case every reader agrees on (readers differ on type 3 after type 0).
/// </summary>
public sealed class ChunkWriter
{
    private readonly Dictionary<int, LastHeader> _last = [];

    public int ChunkSize { get; set; } = 128;

    public void Write(IBufferWriter<byte> output, int chunkStreamId, uint timestamp, RtmpMessageType type, uint streamId, ReadOnlySpan<byte> payload) =>
        Write(output, chunkStreamId, timestamp, type, streamId, payload, default);

    /// <summary>Writes one message whose payload is <paramref name="head"/> followed by <paramref name="tail"/>, without joining them first.</summary>
    public void Write(IBufferWriter<byte> output, int chunkStreamId, uint timestamp, RtmpMessageType type, uint streamId, ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail)
    {
        int length = head.Length + tail.Length;
        if (chunkStreamId is < 2 or > 65599)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkStreamId));
        }

        int format = 0;
        uint timestampField = timestamp;
        if (_last.TryGetValue(chunkStreamId, out var last) && last.StreamId == streamId && timestamp >= last.Timestamp)
        {
            uint delta = timestamp - last.Timestamp;
            timestampField = delta;
            format = last.Type == type && last.Length == length
                ? (last.Format is 1 or 2 or 3 && last.Delta == delta ? 3 : 2)
                : 1;
        }

        _last[chunkStreamId] = new LastHeader(format, timestamp, timestampField, type, length, streamId);
        bool extended = timestampField >= 0xFFFFFF;

        WriteBasicHeader(output, format, chunkStreamId);
        if (format < 3)
        {
            var header = output.GetSpan(11);
            WriteUInt24(header, extended ? 0xFFFFFF : timestampField);
            int headerLength = 3;
            if (format < 2)
            {
                WriteUInt24(header[3..], (uint)length);
                header[6] = (byte)type;
                headerLength = 7;
                if (format == 0)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(header[7..], streamId);
                    headerLength = 11;
                }
            }

            output.Advance(headerLength);
        }

        if (extended)
        {
            WriteExtended(output, timestampField);
        }

        int offset = 0;
        while (true)
        {
            int size = Math.Min(ChunkSize, length - offset);
            WriteRange(output, head, tail, offset, size);
            offset += size;
            if (offset >= length)
            {
                break;
            }

            WriteBasicHeader(output, 3, chunkStreamId);
            if (extended)
            {
                WriteExtended(output, timestampField);
            }
        }
    }

    /// <summary>Writes bytes [offset, offset + count) of head+tail.</summary>
    private static void WriteRange(IBufferWriter<byte> output, ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail, int offset, int count)
    {
        if (offset < head.Length)
        {
            int fromHead = Math.Min(count, head.Length - offset);
            output.Write(head.Slice(offset, fromHead));
            offset += fromHead;
            count -= fromHead;
        }

        if (count > 0)
        {
            output.Write(tail.Slice(offset - head.Length, count));
        }
    }

    private static void WriteBasicHeader(IBufferWriter<byte> output, int format, int chunkStreamId)
    {
        var span = output.GetSpan(3);
        if (chunkStreamId < 64)
        {
            span[0] = (byte)((format << 6) | chunkStreamId);
            output.Advance(1);
        }
        else if (chunkStreamId < 320)
        {
            span[0] = (byte)(format << 6);
            span[1] = (byte)(chunkStreamId - 64);
            output.Advance(2);
        }
        else
        {
            span[0] = (byte)((format << 6) | 1);
            span[1] = (byte)((chunkStreamId - 64) & 0xFF);
            span[2] = (byte)((chunkStreamId - 64) >> 8);
            output.Advance(3);
        }
    }

    private static void WriteExtended(IBufferWriter<byte> output, uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), value);
        output.Advance(4);
    }

    private static void WriteUInt24(Span<byte> span, uint value)
    {
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }

    private readonly record struct LastHeader(int Format, uint Timestamp, uint Delta, RtmpMessageType Type, int Length, uint StreamId);
}
