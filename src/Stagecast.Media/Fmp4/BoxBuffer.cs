using System.Buffers.Binary;

namespace Stagecast.Media.Fmp4;

/// <summary>
/// A growable, reusable byte buffer for writing ISO BMFF boxes big-endian. A box is opened with
/// <see cref="StartBox"/> and its 32-bit size patched by <see cref="EndBox"/>.
/// </summary>
public sealed class BoxBuffer(int initialCapacity = 1024)
{
    private byte[] _buffer = new byte[initialCapacity];
    private int _length;

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>What is written, until the next write or <see cref="Reset"/>.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void Reset() => _length = 0;

    public byte[] ToArray() => WrittenSpan.ToArray();

    public int StartBox(ReadOnlySpan<byte> type)
    {
        int start = _length;
        WriteUInt32(0);
        WriteBytes(type);
        return start;
    }

    /// <summary>Opens a box of a type read by <see cref="BoxHeader"/>.</summary>
    public int StartBox(uint type)
    {
        int start = _length;
        WriteUInt32(0);
        WriteUInt32(type);
        return start;
    }

    /// <summary>Writes a whole box: its header, then <paramref name="body"/> (a box read elsewhere, copied as it was).</summary>
    public void WriteBox(uint type, ReadOnlySpan<byte> body)
    {
        WriteUInt32(checked((uint)(8 + body.Length)));
        WriteUInt32(type);
        WriteBytes(body);
    }

    public int StartFullBox(ReadOnlySpan<byte> type, byte version, uint flags)
    {
        int start = StartBox(type);
        WriteUInt32(((uint)version << 24) | (flags & 0xFFFFFF));
        return start;
    }

    public int StartFullBox(uint type, byte version, uint flags)
    {
        int start = StartBox(type);
        WriteUInt32(((uint)version << 24) | (flags & 0xFFFFFF));
        return start;
    }

    public void EndBox(int start) => PatchUInt32(start, (uint)(_length - start));

    public void WriteUInt8(byte value) => Reserve(1)[0] = value;

    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), value);

    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), value);

    public void WriteUInt24(uint value)
    {
        var span = Reserve(3);
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }

    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);

    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), value);

    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void WriteZeros(int count) => Reserve(count).Clear();

    public void PatchUInt32(int position, uint value) => BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(position, 4), value);

    public void PatchInt32(int position, int value) => BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(position, 4), value);

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
