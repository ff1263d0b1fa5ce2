using System.Buffers;
using System.Buffers.Binary;

namespace Stagecast.Media.Codecs.Vp8;

/// <summary>IVF, the simple container ffmpeg reads VP8 from: a 32-byte file header, then each frame with its size and time.</summary>
public static class IvfWriter
{
    public const int HeaderSize = 32;

    public const int FrameHeaderSize = 12;

    /// <summary>DKIF, version 0, header size 32, VP80, the picture size, the time base 1/<paramref name="timeBase"/>, one frame counted.</summary>
    public static void WriteHeader(IBufferWriter<byte> output, int width, int height, uint timeBase)
    {
        WriteHeader(output.GetSpan(HeaderSize), width, height, timeBase);
        output.Advance(HeaderSize);
    }

    /// <summary>The file header into the first <see cref="HeaderSize"/> bytes of <paramref name="header"/>.</summary>
    public static void WriteHeader(Span<byte> header, int width, int height, uint timeBase)
    {
        header = header[..HeaderSize];
        header.Clear();
        "DKIF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], HeaderSize);
        "VP80"u8.CopyTo(header[8..]);
        BinaryPrimitives.WriteUInt16LittleEndian(header[12..], (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(header[14..], (ushort)height);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], timeBase);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1);
    }

    /// <summary>One frame: its size, its time in time-base units, its bytes.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> frame, long time)
    {
        output.Advance(WriteFrame(output.GetSpan(FrameHeaderSize + frame.Length), frame, time));
    }

    /// <summary>One frame into <paramref name="destination"/>; returns the bytes written.</summary>
    public static int WriteFrame(Span<byte> destination, ReadOnlySpan<byte> frame, long time)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)frame.Length);
        BinaryPrimitives.WriteInt64LittleEndian(destination[4..], time);
        frame.CopyTo(destination[FrameHeaderSize..]);
        return FrameHeaderSize + frame.Length;
    }
}
