using System.Buffers.Binary;

namespace Stagecast.Media.MpegTs;

/// <summary>
/// A long-form PSI section (ISO/IEC 13818-1 2.4.4): the PAT and the PMT.
/// <code>
/// u8 table_id | 1 syntax=1 1 '0' 2 reserved 12 section_length | u16 table_id_extension
/// 2 reserved 5 version 1 current_next | u8 section_number | u8 last_section_number | data | u32 CRC_32
/// </code>
/// </summary>
public static class PsiSection
{
    public const byte PatTableId = 0x00;

    public const byte PmtTableId = 0x02;

    /// <summary>table_id and the 12-bit section_length before what it counts.</summary>
    public const int PrefixLength = 3;

    /// <summary>PSI sections are at most 1024 bytes, so section_length is at most 1021 (2.4.4.4).</summary>
    public const int MaxSectionLength = 1021;

    private const int HeaderLength = 8;

    private const int CrcLength = 4;

    /// <summary>section_length from the first three bytes; throws when it exceeds <see cref="MaxSectionLength"/>.</summary>
    public static int SectionLength(ReadOnlySpan<byte> prefix)
    {
        int length = BinaryPrimitives.ReadUInt16BigEndian(prefix[1..]) & 0x0FFF;
        return length <= MaxSectionLength ? length : ThrowHelper.Malformed<int>($"PSI section_length {length} exceeds {MaxSectionLength}");
    }

    /// <summary>
    /// Checks a whole section (its CRC included) and returns its data between the header and the CRC, with the
    /// table_id_extension (transport stream id or program number).
    /// </summary>
    public static ReadOnlySpan<byte> Data(ReadOnlySpan<byte> section, out int tableIdExtension)
    {
        if (section.Length < HeaderLength + CrcLength)
        {
            ThrowHelper.Malformed($"PSI section of {section.Length} bytes, at least {HeaderLength + CrcLength} needed");
        }

        if ((section[1] & 0x80) == 0)
        {
            ThrowHelper.Malformed($"PSI section 0x{section[0]:x2} without section_syntax_indicator");
        }

        if (MpegCrc32.Compute(section) != 0)
        {
            ThrowHelper.Malformed($"PSI section 0x{section[0]:x2} fails its CRC");
        }

        tableIdExtension = BinaryPrimitives.ReadUInt16BigEndian(section[3..]);
        return section[HeaderLength..^CrcLength];
    }

    /// <summary>Writes a section around <paramref name="data"/> (one section of its table) with its CRC; returns its length.</summary>
    public static int Write(Span<byte> destination, byte tableId, int tableIdExtension, ReadOnlySpan<byte> data, int version = 0)
    {
        int sectionLength = HeaderLength - PrefixLength + data.Length + CrcLength;
        destination[0] = tableId;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)(0xB000 | sectionLength));
        BinaryPrimitives.WriteUInt16BigEndian(destination[3..], (ushort)tableIdExtension);
        destination[5] = (byte)(0xC1 | ((version & 0x1F) << 1)); // reserved, version, current_next_indicator
        destination[6] = 0; // section_number
        destination[7] = 0; // last_section_number
        data.CopyTo(destination[HeaderLength..]);
        int crcAt = HeaderLength + data.Length;
        BinaryPrimitives.WriteUInt32BigEndian(destination[crcAt..], MpegCrc32.Compute(destination[..crcAt]));
        return crcAt + CrcLength;
    }
}
