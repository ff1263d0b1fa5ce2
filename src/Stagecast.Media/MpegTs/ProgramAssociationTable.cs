using System.Buffers.Binary;

namespace Stagecast.Media.MpegTs;

/// <summary>
/// The program association table (2.4.4.3): which PID carries each program's map. Stagecast takes the first
/// program, as every encoder sends one.
/// <code>{ u16 program_number | 3 reserved 13 PID (network PID for program 0, else PMT PID) }* </code>
/// </summary>
public static class ProgramAssociationTable
{
    private const int EntryLength = 4;

    /// <summary>The PMT PID of the first program, or null when the table lists none.</summary>
    public static int? FirstProgramMapPid(ReadOnlySpan<byte> section)
    {
        var data = PsiSection.Data(section, out _);
        if (data.Length % EntryLength != 0)
        {
            ThrowHelper.Malformed($"PAT of {data.Length} bytes is not a whole number of programs");
        }

        for (; !data.IsEmpty; data = data[EntryLength..])
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(data) != 0)
            {
                return BinaryPrimitives.ReadUInt16BigEndian(data[2..]) & 0x1FFF;
            }
        }

        return null;
    }

    /// <summary>Writes the data of a PAT with one program.</summary>
    public static int WriteData(Span<byte> destination, int programNumber, int pmtPid)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)programNumber);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(0xE000 | pmtPid));
        return EntryLength;
    }
}
