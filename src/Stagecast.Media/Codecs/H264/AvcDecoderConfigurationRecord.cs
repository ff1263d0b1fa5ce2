using System.Buffers.Binary;

namespace Stagecast.Media.Codecs.H264;

/// <summary>
/// AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1), the payload of an FLV AVC sequence header and of
/// the fMP4 avcC box.
/// <code>
/// u8 configurationVersion = 1 | u8 AVCProfileIndication | u8 profile_compatibility | u8 AVCLevelIndication
/// 6 bits reserved | 2 bits lengthSizeMinusOne | 3 bits reserved | 5 bits numOfSequenceParameterSets
/// { u16 length, SPS }*  | u8 numOfPictureParameterSets | { u16 length, PPS }*  [high-profile extension ignored]
/// </code>
/// </summary>
public sealed class AvcDecoderConfigurationRecord
{
    public required byte ProfileIndication { get; init; }

    public required byte ProfileCompatibility { get; init; }

    public required byte LevelIndication { get; init; }

    public required int NalLengthSize { get; init; }

    public required IReadOnlyList<byte[]> SequenceParameterSets { get; init; }

    public required IReadOnlyList<byte[]> PictureParameterSets { get; init; }

    public static AvcDecoderConfigurationRecord Parse(ReadOnlySpan<byte> data)
    {
        var reader = new ParameterSetReader(data, "AVCDecoderConfigurationRecord");
        byte version = reader.ReadByte();
        if (version != 1)
        {
            ThrowHelper.Malformed($"AVCDecoderConfigurationRecord version {version}, expected 1");
        }

        byte profile = reader.ReadByte();
        byte compatibility = reader.ReadByte();
        byte level = reader.ReadByte();
        int nalLengthSize = (reader.ReadByte() & 0x03) + 1;
        if (nalLengthSize == 3)
        {
            ThrowHelper.Malformed("AVCDecoderConfigurationRecord: NAL length size 3 is not allowed");
        }

        int spsCount = reader.ReadByte() & 0x1F;
        var spsList = new List<byte[]>(spsCount);
        for (int i = 0; i < spsCount; i++)
        {
            spsList.Add(reader.ReadLengthPrefixedUnit());
        }

        int ppsCount = reader.ReadByte();
        if (ppsCount > MediaLimits.MaxParameterSets)
        {
            ThrowHelper.Malformed($"AVCDecoderConfigurationRecord: {ppsCount} PPS exceed {MediaLimits.MaxParameterSets}");
        }

        var ppsList = new List<byte[]>(ppsCount);
        for (int i = 0; i < ppsCount; i++)
        {
            ppsList.Add(reader.ReadLengthPrefixedUnit());
        }

        return new AvcDecoderConfigurationRecord
        {
            ProfileIndication = profile,
            ProfileCompatibility = compatibility,
            LevelIndication = level,
            NalLengthSize = nalLengthSize,
            SequenceParameterSets = spsList,
            PictureParameterSets = ppsList,
        };
    }

    /// <summary>Builds a record with 4-byte NAL lengths from raw SPS and PPS NAL units.</summary>
    public static byte[] Build(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        if (sps.Length < 4)
        {
            throw new ArgumentException("SPS too short", nameof(sps));
        }

        var record = new byte[11 + sps.Length + pps.Length];
        record[0] = 1;
        record[1] = sps[1];
        record[2] = sps[2];
        record[3] = sps[3];
        record[4] = 0xFF; // reserved bits + lengthSizeMinusOne = 3
        record[5] = 0xE1; // reserved bits + one SPS
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(6), (ushort)sps.Length);
        sps.CopyTo(record.AsSpan(8));
        int offset = 8 + sps.Length;
        record[offset] = 1;
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(offset + 1), (ushort)pps.Length);
        pps.CopyTo(record.AsSpan(offset + 3));
        return record;
    }
}
