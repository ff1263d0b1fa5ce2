namespace Stagecast.Media.Bits;

/// <summary>
/// Reads big-endian bit fields and Exp-Golomb codes (ITU-T H.264 9.1) from a span.
/// Reading past the end throws <see cref="MediaFormatException"/>.
/// </summary>
public ref struct BitReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _bitPosition;

    public readonly int BitsRemaining => (_data.Length * 8) - _bitPosition;

    public readonly int BitPosition => _bitPosition;

    public bool ReadBit() => ReadBits(1) != 0;

    /// <summary>Reads up to 32 bits as an unsigned value.</summary>
    public uint ReadBits(int count)
    {
        if ((uint)count > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        if (count > BitsRemaining)
        {
            ThrowHelper.Malformed($"bitstream ended: {count} bits needed, {BitsRemaining} left");
        }

        ulong value = 0;
        for (int i = 0; i < count; i++)
        {
            int bit = (_data[_bitPosition >> 3] >> (7 - (_bitPosition & 7))) & 1;
            value = (value << 1) | (uint)bit;
            _bitPosition++;
        }

        return (uint)value;
    }

    public ulong ReadBits64(int count)
    {
        if (count <= 32)
        {
            return ReadBits(count);
        }

        ulong high = ReadBits(count - 32);
        return (high << 32) | ReadBits(32);
    }

    public void Skip(int count)
    {
        if (count < 0 || count > BitsRemaining)
        {
            ThrowHelper.Malformed($"bitstream ended: cannot skip {count} bits, {BitsRemaining} left");
        }

        _bitPosition += count;
    }

    /// <summary>ue(v): unsigned Exp-Golomb code. Values beyond 32 bits are malformed.</summary>
    public uint ReadUnsignedExpGolomb()
    {
        int leadingZeros = 0;
        while (!ReadBit())
        {
            leadingZeros++;
            if (leadingZeros > 31)
            {
                ThrowHelper.Malformed("Exp-Golomb code longer than 32 bits");
            }
        }

        if (leadingZeros == 0)
        {
            return 0;
        }

        return (uint)((1UL << leadingZeros) - 1 + ReadBits(leadingZeros));
    }

    /// <summary>se(v): signed Exp-Golomb code.</summary>
    public int ReadSignedExpGolomb()
    {
        uint code = ReadUnsignedExpGolomb();
        int magnitude = (int)((code + 1) >> 1);
        return (code & 1) != 0 ? magnitude : -magnitude;
    }

    /// <summary>leb128() of the AV1 specification (4.10.5), at most eight bytes and 32 bits of value.</summary>
    public uint ReadLeb128()
    {
        ulong value = 0;
        for (int i = 0; i < 8; i++)
        {
            uint b = ReadBits(8);
            value |= (ulong)(b & 0x7F) << (i * 7);
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        if (value > uint.MaxValue)
        {
            ThrowHelper.Malformed("leb128 value exceeds 32 bits");
        }

        return (uint)value;
    }

    /// <summary>uvlc() of the AV1 specification (4.10.3).</summary>
    public uint ReadUvlc()
    {
        int leadingZeros = 0;
        while (!ReadBit())
        {
            leadingZeros++;
            if (leadingZeros >= 32)
            {
                return uint.MaxValue;
            }
        }

        return (uint)(ReadBits(leadingZeros) + ((1UL << leadingZeros) - 1));
    }
}
