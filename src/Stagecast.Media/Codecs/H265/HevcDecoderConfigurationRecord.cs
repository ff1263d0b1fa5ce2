using System.Buffers;
using System.Buffers.Binary;
using Stagecast.Media.Bits;

namespace Stagecast.Media.Codecs.H265;

/// <summary>
/// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1), the payload of an Enhanced RTMP hvc1 sequence
/// start and of the fMP4 hvcC box.
/// <code>
/// u8 version=1 | 2 profile_space 1 tier 5 profile_idc | u32 compatibility | u48 constraints | u8 level
/// 4 rsv 12 min_spatial_segmentation | 6 rsv 2 parallelism | 6 rsv 2 chroma | 5 rsv 3 luma-8 | 5 rsv 3 chroma-8
/// u16 avgFrameRate | 2 constantFrameRate 3 numTemporalLayers 1 temporalIdNested 2 lengthSizeMinusOne
/// u8 numOfArrays { 1 completeness 1 rsv 6 nal_type | u16 numNalus { u16 length, NAL }* }*
/// </code>
/// </summary>
public sealed class HevcDecoderConfigurationRecord
{
    private const int FixedHeaderLength = 23;

    public required HevcProfileTierLevel ProfileTierLevel { get; init; }

    public required int NalLengthSize { get; init; }

    /// <summary>Parameter set NAL units by array: (NAL unit type, units).</summary>
    public required IReadOnlyList<(int NalType, IReadOnlyList<byte[]> Units)> Arrays { get; init; }

    public string CodecString => ProfileTierLevel.ToCodecString();

    public byte[]? FindFirst(int nalType)
    {
        foreach (var (type, units) in Arrays)
        {
            if (type == nalType && units.Count > 0)
            {
                return units[0];
            }
        }

        return null;
    }

    public static HevcDecoderConfigurationRecord Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < FixedHeaderLength)
        {
            ThrowHelper.Malformed($"HEVCDecoderConfigurationRecord of {data.Length} bytes, at least {FixedHeaderLength} needed");
        }

        if (data[0] != 1)
        {
            ThrowHelper.Malformed($"HEVCDecoderConfigurationRecord version {data[0]}, expected 1");
        }

        var bits = new BitReader(data.Slice(1, 12));
        var ptl = HevcProfileTierLevel.Read(ref bits);
        int nalLengthSize = (data[21] & 0x03) + 1;
        if (nalLengthSize == 3)
        {
            ThrowHelper.Malformed("HEVCDecoderConfigurationRecord: NAL length size 3 is not allowed");
        }

        var reader = new ParameterSetReader(data[22..], "HEVCDecoderConfigurationRecord");
        int arrayCount = reader.ReadByte();
        var arrays = new List<(int, IReadOnlyList<byte[]>)>(arrayCount);
        int total = 0;
        for (int i = 0; i < arrayCount; i++)
        {
            int nalType = reader.ReadByte() & 0x3F;
            int count = reader.ReadUInt16();
            total += count;
            if (total > MediaLimits.MaxParameterSets)
            {
                ThrowHelper.Malformed($"HEVCDecoderConfigurationRecord: more than {MediaLimits.MaxParameterSets} parameter sets");
            }

            var units = new List<byte[]>(count);
            for (int j = 0; j < count; j++)
            {
                units.Add(reader.ReadLengthPrefixedUnit());
            }

            arrays.Add((nalType, units));
        }

        return new HevcDecoderConfigurationRecord { ProfileTierLevel = ptl, NalLengthSize = nalLengthSize, Arrays = arrays };
    }

    /// <summary>Builds a complete record with 4-byte NAL lengths from raw VPS, SPS and PPS NAL units.</summary>
    public static byte[] Build(ReadOnlySpan<byte> vps, ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        var parsed = H265SequenceParameterSet.Parse(sps);
        var ptl = parsed.ProfileTierLevel;
        var output = new ArrayBufferWriter<byte>(FixedHeaderLength + 16 + vps.Length + sps.Length + pps.Length);
        var header = output.GetSpan(FixedHeaderLength);
        header[0] = 1;
        header[1] = (byte)((ptl.ProfileSpace << 6) | (ptl.HighTier ? 0x20 : 0) | ptl.ProfileIdc);
        BinaryPrimitives.WriteUInt32BigEndian(header[2..], ptl.CompatibilityFlags);
        for (int i = 0; i < 6; i++)
        {
            header[6 + i] = (byte)(ptl.ConstraintIndicatorFlags >> (40 - (8 * i)));
        }

        header[12] = (byte)ptl.LevelIdc;
        header[13] = 0xF0; // reserved + min_spatial_segmentation_idc = 0
        header[14] = 0x00;
        header[15] = 0xFC; // reserved + parallelismType = 0
        header[16] = (byte)(0xFC | parsed.ChromaFormatIdc);
        header[17] = (byte)(0xF8 | (parsed.BitDepthLuma - 8));
        header[18] = (byte)(0xF8 | (parsed.BitDepthChroma - 8));
        header[19] = 0; // avgFrameRate unknown
        header[20] = 0;
        header[21] = (byte)((parsed.MaxSubLayers << 3) | (parsed.TemporalIdNested ? 0x04 : 0) | 0x03);
        header[22] = 3; // numOfArrays
        output.Advance(FixedHeaderLength);
        WriteArray(output, H265NalType.Vps, vps);
        WriteArray(output, H265NalType.Sps, sps);
        WriteArray(output, H265NalType.Pps, pps);
        return output.WrittenSpan.ToArray();
    }

    private static void WriteArray(ArrayBufferWriter<byte> output, int nalType, ReadOnlySpan<byte> nal)
    {
        var span = output.GetSpan(5);
        span[0] = (byte)(0x80 | nalType); // array_completeness = 1
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(span[3..], (ushort)nal.Length);
        output.Advance(5);
        output.Write(nal);
    }
}
