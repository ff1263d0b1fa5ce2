using System.Buffers;
using System.Buffers.Binary;

namespace Stagecast.Media.Flv;

/// <summary>Writes FLV file headers and tags (the inverse of <see cref="FlvFileReader"/>).</summary>
public static class FlvFileWriter
{
    public static void WriteHeader(IBufferWriter<byte> output, bool hasAudio, bool hasVideo)
    {
        var span = output.GetSpan(13);
        "FLV"u8.CopyTo(span);
        span[3] = 1;
        span[4] = (byte)((hasAudio ? 0x04 : 0) | (hasVideo ? 0x01 : 0));
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], 9);
        BinaryPrimitives.WriteUInt32BigEndian(span[9..], 0);
        output.Advance(13);
    }

    public static void WriteTag(IBufferWriter<byte> output, FlvTagType type, uint timestamp, ReadOnlySpan<byte> data) =>
        WriteTag(output, type, timestamp, data, default);

    /// <summary>An AAC sequence header (the AudioSpecificConfig) at time 0: what an FLV of AAC begins with, after its header.</summary>
    public static void WriteAacConfig(IBufferWriter<byte> output, ReadOnlySpan<byte> specificConfig) =>
        WriteTag(output, FlvTagType.Audio, 0, [0xAF, 0x00], specificConfig);

    /// <summary>An AAC access unit at <paramref name="timestamp"/> milliseconds.</summary>
    public static void WriteAacFrame(IBufferWriter<byte> output, uint timestamp, ReadOnlySpan<byte> frame) =>
        WriteTag(output, FlvTagType.Audio, timestamp, [0xAF, 0x01], frame);

    /// <summary>A tag whose body is <paramref name="head"/> then <paramref name="rest"/> (a tag header and its payload), without joining them first.</summary>
    public static void WriteTag(IBufferWriter<byte> output, FlvTagType type, uint timestamp, ReadOnlySpan<byte> head, ReadOnlySpan<byte> rest)
    {
        int length = head.Length + rest.Length;
        if (length > 0xFFFFFF)
        {
            throw new ArgumentException("FLV tag data is limited to 16 MiB", nameof(rest));
        }

        var header = output.GetSpan(11);
        header[0] = (byte)type;
        header[1] = (byte)(length >> 16);
        header[2] = (byte)(length >> 8);
        header[3] = (byte)length;
        header[4] = (byte)(timestamp >> 16);
        header[5] = (byte)(timestamp >> 8);
        header[6] = (byte)timestamp;
        header[7] = (byte)(timestamp >> 24);
        header[8] = 0;
        header[9] = 0;
        header[10] = 0;
        output.Advance(11);
        output.Write(head);
        output.Write(rest);
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), (uint)(length + 11));
        output.Advance(4);
    }
}
