using Stagecast.Media.Bits;

namespace Stagecast.Media.Codecs.Av1;

/// <summary>The fields of an AV1 sequence header OBU (AV1 specification 5.5) that describe the picture.</summary>
public sealed class Av1SequenceHeader
{
    private const int ObuSequenceHeader = 1;

    public required int SeqProfile { get; init; }

    public required int MaxFrameWidth { get; init; }

    public required int MaxFrameHeight { get; init; }

    /// <summary>Finds and parses the first sequence header OBU in a run of OBUs; null when there is none.</summary>
    public static Av1SequenceHeader? FindIn(ReadOnlySpan<byte> obus)
    {
        while (obus.Length > 0)
        {
            var bits = new BitReader(obus);
            bits.Skip(1); // obu_forbidden_bit
            int type = (int)bits.ReadBits(4);
            bool extension = bits.ReadBit();
            bool hasSize = bits.ReadBit();
            bits.Skip(1);
            if (extension)
            {
                bits.Skip(8);
            }

            int headerBytes = bits.BitPosition / 8;
            int payloadSize = obus.Length - headerBytes;
            if (hasSize)
            {
                uint size = bits.ReadLeb128();
                headerBytes = bits.BitPosition / 8;
                if (size > (uint)(obus.Length - headerBytes))
                {
                    ThrowHelper.Malformed($"AV1 OBU of {size} bytes exceeds its container");
                }

                payloadSize = (int)size;
            }

            var payload = obus.Slice(headerBytes, payloadSize);
            if (type == ObuSequenceHeader)
            {
                return Parse(payload);
            }

            obus = obus[(headerBytes + payloadSize)..];
        }

        return null;
    }

    public static Av1SequenceHeader Parse(ReadOnlySpan<byte> payload)
    {
        var bits = new BitReader(payload);
        int seqProfile = (int)bits.ReadBits(3);
        bits.Skip(1); // still_picture
        bool reducedStillPictureHeader = bits.ReadBit();
        if (reducedStillPictureHeader)
        {
            bits.Skip(5); // seq_level_idx[0]
        }
        else
        {
            bool decoderModelInfoPresent = false;
            int bufferDelayLength = 0;
            if (bits.ReadBit())
            {
                // timing_info()
                bits.Skip(64); // num_units_in_display_tick, time_scale
                if (bits.ReadBit())
                {
                    bits.ReadUvlc(); // num_ticks_per_picture_minus_1
                }

                decoderModelInfoPresent = bits.ReadBit();
                if (decoderModelInfoPresent)
                {
                    bufferDelayLength = (int)bits.ReadBits(5) + 1;
                    bits.Skip(32 + 5 + 5); // num_units_in_decoding_tick, removal time length, presentation time length
                }
            }

            bool initialDisplayDelayPresent = bits.ReadBit();
            int operatingPoints = (int)bits.ReadBits(5) + 1;
            for (int i = 0; i < operatingPoints; i++)
            {
                bits.Skip(12); // operating_point_idc
                if (bits.ReadBits(5) > 7)
                {
                    bits.Skip(1); // seq_tier
                }

                if (decoderModelInfoPresent && bits.ReadBit())
                {
                    bits.Skip((2 * bufferDelayLength) + 1); // decoder/encoder buffer delay, low_delay_mode_flag
                }

                if (initialDisplayDelayPresent && bits.ReadBit())
                {
                    bits.Skip(4);
                }
            }
        }

        int widthBits = (int)bits.ReadBits(4) + 1;
        int heightBits = (int)bits.ReadBits(4) + 1;
        int width = (int)bits.ReadBits(widthBits) + 1;
        int height = (int)bits.ReadBits(heightBits) + 1;
        return new Av1SequenceHeader { SeqProfile = seqProfile, MaxFrameWidth = width, MaxFrameHeight = height };
    }
}
