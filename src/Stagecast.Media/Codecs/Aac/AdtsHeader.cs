using Stagecast.Media.Bits;

namespace Stagecast.Media.Codecs.Aac;

/// <summary>
/// The header of an ADTS frame (ISO/IEC 13818-7 6.2, 14496-3 1.A.2), how MPEG-TS carries AAC: each frame is one
/// access unit behind a 7-byte header (9 with a CRC).
/// <code>
/// 12 syncword 0xFFF | 1 ID 2 layer=0 1 protection_absent | 2 profile 4 sampling_frequency_index 1 private 3 channel_configuration
/// 1 original 1 home 1 copyright_id 1 copyright_start | 13 frame_length (header included) | 11 buffer_fullness 2 raw_data_blocks-1
/// [u16 CRC]
/// </code>
/// </summary>
public readonly record struct AdtsHeader(int ObjectType, int SampleRateIndex, int ChannelConfiguration, int HeaderLength, int FrameLength)
{
    public const int MinLength = 7;

    private const int CrcLength = 2;

    private static readonly int[] SampleRates =
        [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    public int SampleRate => SampleRates[SampleRateIndex];

    /// <summary>The raw AAC access unit's length.</summary>
    public int PayloadLength => FrameLength - HeaderLength;

    /// <summary>The AudioSpecificConfig a decoder needs for these frames.</summary>
    public byte[] AudioSpecificConfig() => Aac.AudioSpecificConfig.Build(ObjectType, SampleRate, ChannelConfiguration);

    /// <summary>
    /// Reads the header at the start of <paramref name="data"/>; false when fewer than 7 bytes are there. Throws
    /// <see cref="MediaFormatException"/> when it is not an ADTS header or describes a frame Stagecast cannot carry.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out AdtsHeader header)
    {
        header = default;
        if (data.Length < MinLength)
        {
            return false;
        }

        var bits = new BitReader(data[..MinLength]);
        if (bits.ReadBits(12) != 0xFFF)
        {
            ThrowHelper.Malformed("ADTS frame without its syncword");
        }

        bits.ReadBits(1); // ID: MPEG-4 or MPEG-2, the same frames
        if (bits.ReadBits(2) != 0)
        {
            ThrowHelper.Malformed("ADTS frame with a non-zero layer");
        }

        bool protectionAbsent = bits.ReadBits(1) == 1;
        int objectType = (int)bits.ReadBits(2) + 1;
        int rateIndex = (int)bits.ReadBits(4);
        bits.ReadBits(1);
        int channels = (int)bits.ReadBits(3);
        bits.ReadBits(4);
        int frameLength = (int)bits.ReadBits(13);
        bits.ReadBits(11);
        int blocks = (int)bits.ReadBits(2) + 1;
        int headerLength = protectionAbsent ? MinLength : MinLength + CrcLength;
        if (rateIndex >= SampleRates.Length)
        {
            ThrowHelper.Malformed($"ADTS sampling frequency index {rateIndex}");
        }

        if (channels == 0)
        {
            ThrowHelper.Malformed("ADTS channel configuration 0 (a program config element) is not supported");
        }

        if (blocks != 1)
        {
            ThrowHelper.Malformed($"ADTS frame of {blocks} raw data blocks is not supported");
        }

        if (frameLength <= headerLength)
        {
            ThrowHelper.Malformed($"ADTS frame_length {frameLength} leaves no room for a payload");
        }

        header = new AdtsHeader(objectType, rateIndex, channels, headerLength, frameLength);
        return true;
    }

    /// <summary>Writes a 7-byte header (no CRC) for a raw access unit of <paramref name="payloadLength"/> bytes.</summary>
    public static void Write(Span<byte> destination, AudioSpecificConfig config, int payloadLength)
    {
        int index = Array.IndexOf(SampleRates, config.SampleRate);
        int frameLength = MinLength + payloadLength;
        if (index < 0 || config.ObjectType is < 1 or > 4 || frameLength > 0x1FFF)
        {
            throw new ArgumentException("ADTS carries AAC object types 1 to 4 at a standard rate, in frames under 8 KiB");
        }

        int channels = config.Channels == 8 ? 7 : config.Channels;
        destination[0] = 0xFF;
        destination[1] = 0xF1; // MPEG-4, layer 0, no CRC
        destination[2] = (byte)(((config.ObjectType - 1) << 6) | (index << 2) | (channels >> 2));
        destination[3] = (byte)(((channels & 3) << 6) | (frameLength >> 11));
        destination[4] = (byte)(frameLength >> 3);
        destination[5] = (byte)(((frameLength & 7) << 5) | 0x1F); // buffer fullness 0x7FF: variable rate
        destination[6] = 0xFC; // one raw data block
    }
}
