using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Stagecast.Media.Webm;

/// <summary>
/// EBML's encoding (RFC 8794) as Matroska and WebM use it: an element is its ID (1 to 4 bytes, marker bits included),
/// its data size as a variable-length integer, then its data. Unsigned integers take as few bytes as they need,
/// floats 8; a size written <see cref="SizeSlot"/> long can be filled in once its element is complete.
/// </summary>
public static class Ebml
{
    /// <summary>Bytes of a size written to be filled in later (<see cref="WriteSizeSlot"/>).</summary>
    public const int SizeSlot = 8;

    /// <summary>The largest size a variable-length integer of 8 bytes holds (all ones means "unknown").</summary>
    public const long MaxSize = (1L << 56) - 2;

    public static void WriteId(IBufferWriter<byte> output, uint id)
    {
        int length = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
        var span = output.GetSpan(length);
        for (int i = 0; i < length; i++)
        {
            span[i] = (byte)(id >> (8 * (length - 1 - i)));
        }

        output.Advance(length);
    }

    /// <summary>A data size in the fewest bytes (a value of all ones in its length would read as "unknown", so it takes one more).</summary>
    public static void WriteSize(IBufferWriter<byte> output, long size)
    {
        if (size is < 0 or > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "an EBML data size is 0 to 2^56 - 2");
        }

        int length = 1;
        while (size >= (1L << (7 * length)) - 1)
        {
            length++;
        }

        WriteSize(output.GetSpan(length), size, length);
        output.Advance(length);
    }

    /// <summary>A size <see cref="SizeSlot"/> bytes long at the start of <paramref name="slot"/>, as a placeholder or its value.</summary>
    public static void WriteSizeSlot(Span<byte> slot, long size)
    {
        if (size is < 0 or > MaxSize)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "an EBML data size is 0 to 2^56 - 2");
        }

        WriteSize(slot, size, SizeSlot);
    }

    public static void WriteUInt(IBufferWriter<byte> output, uint id, ulong value)
    {
        int length = 1;
        while (length < 8 && value >> (8 * length) != 0)
        {
            length++;
        }

        WriteId(output, id);
        WriteSize(output, length);
        var span = output.GetSpan(length);
        for (int i = 0; i < length; i++)
        {
            span[i] = (byte)(value >> (8 * (length - 1 - i)));
        }

        output.Advance(length);
    }

    public static void WriteFloat(IBufferWriter<byte> output, uint id, double value)
    {
        WriteId(output, id);
        WriteSize(output, 8);
        BinaryPrimitives.WriteDoubleBigEndian(output.GetSpan(8), value);
        output.Advance(8);
    }

    public static void WriteString(IBufferWriter<byte> output, uint id, string value) => WriteBinary(output, id, Encoding.UTF8.GetBytes(value));

    public static void WriteBinary(IBufferWriter<byte> output, uint id, ReadOnlySpan<byte> value)
    {
        WriteId(output, id);
        WriteSize(output, value.Length);
        output.Write(value);
    }

    /// <summary>A master element whose children <paramref name="children"/> writes (gathered first, to know their size).</summary>
    public static void WriteMaster(IBufferWriter<byte> output, uint id, Action<ArrayBufferWriter<byte>> children)
    {
        var body = new ArrayBufferWriter<byte>(64);
        children(body);
        WriteBinary(output, id, body.WrittenSpan);
    }

    private static void WriteSize(Span<byte> span, long size, int length)
    {
        for (int i = 0; i < length; i++)
        {
            span[i] = (byte)(size >> (8 * (length - 1 - i)));
        }

        span[0] |= (byte)(0x80 >> (length - 1));
    }
}
