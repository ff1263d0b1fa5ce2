using System.Buffers.Binary;

namespace Stagecast.Media.Fmp4;

/// <summary>
/// An ISO BMFF box header (ISO/IEC 14496-12 4.2): a 32-bit size and a type, the size 1 followed by a 64-bit size
/// (a large box, such as an mdat past 4 GiB), or 0 for a box that runs to the end of the file.
/// <code>
/// size u32 | type 4cc [| largesize u64]
/// </code>
/// </summary>
public readonly record struct BoxHeader(uint Type, int HeaderLength, long Size)
{
    /// <summary>The longest header: 32-bit size, type, 64-bit size.</summary>
    public const int MaxLength = 16;

    /// <summary>A box that runs to the end of what holds it.</summary>
    public bool ToEnd => Size == 0;

    public static uint TypeOf(ReadOnlySpan<byte> fourCc) => BinaryPrimitives.ReadUInt32BigEndian(fourCc);

    /// <summary>False when <paramref name="bytes"/> is too short for the header; malformed when the size cannot hold it.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out BoxHeader header)
    {
        header = default;
        if (bytes.Length < 8)
        {
            return false;
        }

        uint size = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        uint type = BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]);
        if (size == 1)
        {
            if (bytes.Length < MaxLength)
            {
                return false;
            }

            ulong large = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
            if (large < MaxLength || large > long.MaxValue)
            {
                ThrowHelper.Malformed($"box of {large} bytes");
            }

            header = new BoxHeader(type, MaxLength, (long)large);
            return true;
        }

        if (size is > 0 and < 8)
        {
            ThrowHelper.Malformed($"box of {size} bytes");
        }

        header = new BoxHeader(type, 8, size);
        return true;
    }
}
