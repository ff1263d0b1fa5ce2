using System.Buffers;

namespace Stagecast.Media.Flv;

/// <summary>
/// Reads an FLV file (FLV 10.1 E.2, E.3) incrementally: each method returns false when more bytes are needed,
/// throws <see cref="MediaFormatException"/> on malformed input, and advances the buffer past what it consumed.
/// <code>
/// header: "FLV" u8 version | u8 flags | u32 headerSize | u32 PreviousTagSize0
/// tag:    u8 type | u24 dataSize | u24 timestamp | u8 timestampExtended | u24 streamId | data | u32 PreviousTagSize
/// </code>
/// </summary>
public static class FlvFileReader
{
    private const int TagHeaderLength = 11;

    public static bool TryReadHeader(ref ReadOnlySequence<byte> buffer)
    {
        var reader = new SequenceReader<byte>(buffer);
        if (reader.Remaining < 13)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[9];
        reader.TryCopyTo(header);
        if (header[0] != 'F' || header[1] != 'L' || header[2] != 'V')
        {
            ThrowHelper.Malformed("not an FLV file: signature missing");
        }

        uint headerSize = (uint)((header[5] << 24) | (header[6] << 16) | (header[7] << 8) | header[8]);
        if (headerSize < 9 || headerSize > 1024)
        {
            ThrowHelper.Malformed($"FLV header size {headerSize}");
        }

        if (reader.Remaining < headerSize + 4)
        {
            return false;
        }

        buffer = buffer.Slice(headerSize + 4);
        return true;
    }

    public static bool TryReadTag(ref ReadOnlySequence<byte> buffer, out FlvTag tag)
    {
        tag = default;
        var reader = new SequenceReader<byte>(buffer);
        Span<byte> header = stackalloc byte[TagHeaderLength];
        if (!reader.TryCopyTo(header))
        {
            return false;
        }

        if ((header[0] & 0x20) != 0)
        {
            ThrowHelper.Malformed("encrypted FLV tags are not supported");
        }

        var type = (FlvTagType)(header[0] & 0x1F);
        int dataSize = (header[1] << 16) | (header[2] << 8) | header[3];
        if (dataSize > MediaLimits.MaxMediaMessageSize)
        {
            ThrowHelper.Malformed($"FLV tag of {dataSize} bytes exceeds {MediaLimits.MaxMediaMessageSize}");
        }

        uint timestamp = (uint)((header[7] << 24) | (header[4] << 16) | (header[5] << 8) | header[6]);
        long total = TagHeaderLength + dataSize + 4;
        if (buffer.Length < total)
        {
            return false;
        }

        tag = new FlvTag(type, timestamp, buffer.Slice(TagHeaderLength, dataSize));
        buffer = buffer.Slice(total);
        return true;
    }
}
