using System.Buffers.Binary;

namespace Stagecast.Media.Codecs;

/// <summary>Cursor over a decoder configuration record that bounds every length it reads.</summary>
internal ref struct ParameterSetReader(ReadOnlySpan<byte> data, string what)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            ThrowHelper.Malformed($"{what} truncated: {count} bytes needed, {Remaining} left");
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    /// <summary>Reads a 16-bit length followed by that many bytes, checked against the parameter set limit.</summary>
    public byte[] ReadLengthPrefixedUnit()
    {
        int length = ReadUInt16();
        if (length == 0 || length > MediaLimits.MaxParameterSetSize)
        {
            ThrowHelper.Malformed($"{what}: parameter set of {length} bytes (allowed 1..{MediaLimits.MaxParameterSetSize})");
        }

        return Take(length).ToArray();
    }
}
