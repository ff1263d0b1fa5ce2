using Stagecast.Media.Bits;

namespace Stagecast.Media.Codecs.H265;

/// <summary>The fields of an H.265 sequence parameter set (ITU-T H.265 7.3.2.2) that describe the picture.</summary>
public sealed class H265SequenceParameterSet
{
    public required HevcProfileTierLevel ProfileTierLevel { get; init; }

    public required int ChromaFormatIdc { get; init; }

    public required int BitDepthLuma { get; init; }

    public required int BitDepthChroma { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    public required int MaxSubLayers { get; init; }

    public required bool TemporalIdNested { get; init; }

    public static H265SequenceParameterSet Parse(ReadOnlySpan<byte> nal)
    {
        if (nal.Length < 4 || nal.Length > MediaLimits.MaxParameterSetSize)
        {
            ThrowHelper.Malformed($"H.265 SPS of {nal.Length} bytes");
        }

        if (H265NalType.Of(nal) != H265NalType.Sps)
        {
            ThrowHelper.Malformed($"NAL unit type {H265NalType.Of(nal)} is not an SPS (33)");
        }

        Span<byte> rbsp = stackalloc byte[nal.Length];
        int length = Rbsp.RemoveEmulationPrevention(nal[2..], rbsp);
        var bits = new BitReader(rbsp[..length]);

        bits.Skip(4); // sps_video_parameter_set_id
        int maxSubLayersMinus1 = (int)bits.ReadBits(3);
        bool temporalIdNested = bits.ReadBit();
        var ptl = HevcProfileTierLevel.Read(ref bits);
        SkipSubLayers(ref bits, maxSubLayersMinus1);

        bits.ReadUnsignedExpGolomb(); // sps_seq_parameter_set_id
        int chromaFormatIdc = (int)bits.ReadUnsignedExpGolomb();
        if (chromaFormatIdc > 3)
        {
            ThrowHelper.Malformed($"H.265 SPS chroma_format_idc {chromaFormatIdc}");
        }

        bool separateColourPlane = chromaFormatIdc == 3 && bits.ReadBit();
        long width = bits.ReadUnsignedExpGolomb();
        long height = bits.ReadUnsignedExpGolomb();
        if (bits.ReadBit())
        {
            // Table 6-1: SubWidthC / SubHeightC; separate colour planes are coded like monochrome.
            int chroma = separateColourPlane ? 0 : chromaFormatIdc;
            int subWidth = chroma is 1 or 2 ? 2 : 1;
            int subHeight = chroma == 1 ? 2 : 1;
            long left = bits.ReadUnsignedExpGolomb();
            long right = bits.ReadUnsignedExpGolomb();
            long top = bits.ReadUnsignedExpGolomb();
            long bottom = bits.ReadUnsignedExpGolomb();
            width -= subWidth * (left + right);
            height -= subHeight * (top + bottom);
        }

        if (width <= 0 || height <= 0 || width > 16888 || height > 16888)
        {
            ThrowHelper.Malformed($"H.265 SPS describes a {width}x{height} picture");
        }

        int bitDepthLuma = (int)bits.ReadUnsignedExpGolomb() + 8;
        int bitDepthChroma = (int)bits.ReadUnsignedExpGolomb() + 8;

        return new H265SequenceParameterSet
        {
            ProfileTierLevel = ptl,
            ChromaFormatIdc = chromaFormatIdc,
            BitDepthLuma = bitDepthLuma,
            BitDepthChroma = bitDepthChroma,
            Width = (int)width,
            Height = (int)height,
            MaxSubLayers = maxSubLayersMinus1 + 1,
            TemporalIdNested = temporalIdNested,
        };
    }

    private static void SkipSubLayers(ref BitReader bits, int maxSubLayersMinus1)
    {
        Span<bool> profilePresent = stackalloc bool[8];
        Span<bool> levelPresent = stackalloc bool[8];
        for (int i = 0; i < maxSubLayersMinus1; i++)
        {
            profilePresent[i] = bits.ReadBit();
            levelPresent[i] = bits.ReadBit();
        }

        if (maxSubLayersMinus1 > 0)
        {
            bits.Skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
        }

        for (int i = 0; i < maxSubLayersMinus1; i++)
        {
            if (profilePresent[i])
            {
                bits.Skip(88);
            }

            if (levelPresent[i])
            {
                bits.Skip(8);
            }
        }
    }
}
