using System.Buffers;
using System.Buffers.Binary;

namespace Stagecast.Media.Codecs.Vp8;

/// <summary>IVF, the simple container ffmpeg reads VP8 from: a 32-byte file header, then each frame with its size and time.</summary>
public static class IvfWriter
{
    /// <summary>DKIF, version 0, header size 32, VP80, the picture size, the time base 1/<paramref name="timeBase"/>, one frame counted.</summary>
    public static void WriteHeader(IBufferWriter<byte> output, int width, int height, uint timeBase)
    {
        var header = output.GetSpan(32)[..32];
        header.Clear();
        "DKIF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 32);
        "VP80"u8.CopyTo(header[8..]);
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(header[14..], (ushort)height);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], timeBase);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1);
        output.Advance(32);
    }

    /// <summary>One frame: its size, its time in time-base units, its bytes.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> frame, long time)
    {
        var header = output.GetSpan(12)[..12];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)frame.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header[4..], time);
        output.Advance(12);
        output.Write(frame);
    }
}
