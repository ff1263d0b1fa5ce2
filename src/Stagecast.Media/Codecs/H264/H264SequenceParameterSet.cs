using Stagecast.Media.Bits;

namespace Stagecast.Media.Codecs.H264;

/// <summary>The fields of an H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1) that describe the picture.</summary>
public sealed class H264SequenceParameterSet
{
    public required byte ProfileIdc { get; init; }

    /// <summary>constraint_set0..5 flags and reserved bits: the byte between profile and level.</summary>
    public required byte ConstraintFlags { get; init; }

    public required byte LevelIdc { get; init; }

    public required int ChromaFormatIdc { get; init; }

    public required int Width { get; init; }

    public required int Height { get; init; }

    /// <summary>Frames per second from VUI timing info, when signalled.</summary>
    public double? FrameRate { get; init; }

    public static H264SequenceParameterSet Parse(ReadOnlySpan<byte> nal)
    {
        if (nal.Length < 4 || nal.Length > MediaLimits.MaxParameterSetSize)
        {
            ThrowHelper.Malformed($"H.264 SPS of {nal.Length} bytes");
        }

        if ((nal[0] & 0x1F) != 7)
        {
            ThrowHelper.Malformed($"NAL unit type {nal[0] & 0x1F} is not an SPS (7)");
        }

        Span<byte> rbsp = stackalloc byte[nal.Length];
        int length = Rbsp.RemoveEmulationPrevention(nal[1..], rbsp);
        var bits = new BitReader(rbsp[..length]);

        byte profileIdc = (byte)bits.ReadBits(8);
        byte constraintFlags = (byte)bits.ReadBits(8);
        byte levelIdc = (byte)bits.ReadBits(8);
        bits.ReadUnsignedExpGolomb(); // seq_parameter_set_id

        int chromaFormatIdc = 1;
        bool separateColourPlane = false;
        if (HasChromaInfo(profileIdc))
        {
            chromaFormatIdc = (int)bits.ReadUnsignedExpGolomb();
            if (chromaFormatIdc > 3)
            {
                ThrowHelper.Malformed($"H.264 SPS chroma_format_idc {chromaFormatIdc}");
            }

            if (chromaFormatIdc == 3)
            {
                separateColourPlane = bits.ReadBit();
            }

            bits.ReadUnsignedExpGolomb(); // bit_depth_luma_minus8
            bits.ReadUnsignedExpGolomb(); // bit_depth_chroma_minus8
            bits.ReadBit(); // qpprime_y_zero_transform_bypass_flag
            if (bits.ReadBit())
            {
                SkipScalingMatrix(ref bits, chromaFormatIdc != 3 ? 8 : 12);
            }
        }

        bits.ReadUnsignedExpGolomb(); // log2_max_frame_num_minus4
        uint picOrderCntType = bits.ReadUnsignedExpGolomb();
        if (picOrderCntType == 0)
        {
            bits.ReadUnsignedExpGolomb(); // log2_max_pic_order_cnt_lsb_minus4
        }
        else if (picOrderCntType == 1)
        {
            bits.ReadBit(); // delta_pic_order_always_zero_flag
            bits.ReadSignedExpGolomb(); // offset_for_non_ref_pic
            bits.ReadSignedExpGolomb(); // offset_for_top_to_bottom_field
            uint cycle = bits.ReadUnsignedExpGolomb();
            if (cycle > 255)
            {
                ThrowHelper.Malformed($"H.264 SPS num_ref_frames_in_pic_order_cnt_cycle {cycle}");
            }

            for (int i = 0; i < cycle; i++)
            {
                bits.ReadSignedExpGolomb();
            }
        }

        bits.ReadUnsignedExpGolomb(); // max_num_ref_frames
        bits.ReadBit(); // gaps_in_frame_num_value_allowed_flag
        uint widthInMbs = bits.ReadUnsignedExpGolomb() + 1;
        uint heightInMapUnits = bits.ReadUnsignedExpGolomb() + 1;
        bool frameMbsOnly = bits.ReadBit();
        if (!frameMbsOnly)
        {
            bits.ReadBit(); // mb_adaptive_frame_field_flag
        }

        bits.ReadBit(); // direct_8x8_inference_flag
        uint cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (bits.ReadBit())
        {
            cropLeft = bits.ReadUnsignedExpGolomb();
            cropRight = bits.ReadUnsignedExpGolomb();
            cropTop = bits.ReadUnsignedExpGolomb();
            cropBottom = bits.ReadUnsignedExpGolomb();
        }

        // 7.4.2.1.1: crop units depend on ChromaArrayType and field coding.
        int chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        int frameHeightFactor = frameMbsOnly ? 1 : 2;
        long cropUnitX = chromaArrayType == 0 ? 1 : (chromaFormatIdc == 3 ? 1 : 2);
        long cropUnitY = chromaArrayType == 0 ? frameHeightFactor : (chromaFormatIdc == 1 ? 2 : 1) * frameHeightFactor;
        long width = (widthInMbs * 16L) - (cropUnitX * (cropLeft + cropRight));
        long height = (frameHeightFactor * heightInMapUnits * 16L) - (cropUnitY * (cropTop + cropBottom));
        if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
        {
            ThrowHelper.Malformed($"H.264 SPS describes a {width}x{height} picture");
        }

        double? frameRate = bits.BitsRemaining > 0 && bits.ReadBit() ? ReadVuiFrameRate(ref bits) : null;

        return new H264SequenceParameterSet
        {
            ProfileIdc = profileIdc,
            ConstraintFlags = constraintFlags,
            LevelIdc = levelIdc,
            ChromaFormatIdc = chromaFormatIdc,
            Width = (int)width,
            Height = (int)height,
            FrameRate = frameRate,
        };
    }

    private static bool HasChromaInfo(byte profileIdc) =>
        profileIdc is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135;

    private static void SkipScalingMatrix(ref BitReader bits, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (!bits.ReadBit())
            {
                continue;
            }

            int size = i < 6 ? 16 : 64;
            int lastScale = 8, nextScale = 8;
            for (int j = 0; j < size; j++)
            {
                if (nextScale != 0)
                {
                    int delta = bits.ReadSignedExpGolomb();
                    nextScale = (lastScale + delta + 256) % 256;
                }

                lastScale = nextScale == 0 ? lastScale : nextScale;
            }
        }
    }

    /// <summary>VUI parameters (Annex E.1.1) up to timing_info; any truncation there just means "no frame rate".</summary>
    private static double? ReadVuiFrameRate(ref BitReader bits)
    {
        try
        {
            if (bits.ReadBit() && bits.ReadBits(8) == 255)
            {
                bits.Skip(32); // sar_width, sar_height
            }

            if (bits.ReadBit())
            {
                bits.ReadBit(); // overscan_appropriate_flag
            }

            if (bits.ReadBit())
            {
                bits.Skip(4); // video_format, video_full_range_flag
                if (bits.ReadBit())
                {
                    bits.Skip(24); // colour_primaries, transfer_characteristics, matrix_coefficients
                }
            }

            if (bits.ReadBit())
            {
                bits.ReadUnsignedExpGolomb();
                bits.ReadUnsignedExpGolomb();
            }

            if (!bits.ReadBit())
            {
                return null;
            }

            uint unitsInTick = bits.ReadBits(32);
            uint timeScale = bits.ReadBits(32);
            return unitsInTick == 0 || timeScale == 0 ? null : timeScale / (2.0 * unitsInTick);
        }
        catch (MediaFormatException)
        {
            return null;
        }
    }
}
