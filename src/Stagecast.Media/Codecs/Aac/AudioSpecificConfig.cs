using Stagecast.Media.Bits;

namespace Stagecast.Media.Codecs.Aac;

/// <summary>
/// AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): object type, sampling frequency and channel configuration.
/// <code>5 audioObjectType [6 more if 31] | 4 samplingFrequencyIndex [24 explicit if 15] | 4 channelConfiguration</code>
/// </summary>
public readonly record struct AudioSpecificConfig(int ObjectType, int SampleRate, int Channels)
{
    private static readonly int[] SampleRates =
        [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    public static AudioSpecificConfig Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < 2)
        {
            ThrowHelper.Malformed($"AudioSpecificConfig of {data.Length} bytes, at least 2 needed");
        }

        var bits = new BitReader(data);
        int objectType = ReadObjectType(ref bits);
        int sampleRate = ReadSampleRate(ref bits);
        int channelConfiguration = (int)bits.ReadBits(4);

        // Explicit SBR/PS signalling (5 = SBR, 29 = PS): the core codec and rate follow.
        if (objectType is 5 or 29)
        {
            ReadSampleRate(ref bits); // extensionSamplingFrequency
            int core = ReadObjectType(ref bits);
            if (core != 2)
            {
                ThrowHelper.Malformed($"HE-AAC with core object type {core} is not supported");
            }
        }

        if (channelConfiguration is 0 or > 7)
        {
            ThrowHelper.Malformed($"AAC channel configuration {channelConfiguration} is not supported");
        }

        // Configuration 7 is 7.1 (eight channels); the others equal their channel count.
        int channels = channelConfiguration == 7 ? 8 : channelConfiguration;
        return new AudioSpecificConfig(objectType, sampleRate, channels);
    }

    /// <summary>Builds a two-byte config for an object type, a standard rate and a channel configuration.</summary>
    public static byte[] Build(int objectType, int sampleRate, int channelConfiguration)
    {
        int index = Array.IndexOf(SampleRates, sampleRate);
        if (index < 0 || objectType is < 1 or > 30 || channelConfiguration is < 1 or > 7)
        {
            throw new ArgumentException("unsupported AAC configuration");
        }

        return [(byte)((objectType << 3) | (index >> 1)), (byte)(((index & 1) << 7) | (channelConfiguration << 3))];
    }

    private static int ReadObjectType(ref BitReader bits)
    {
        int type = (int)bits.ReadBits(5);
        return type == 31 ? 32 + (int)bits.ReadBits(6) : type;
    }

    private static int ReadSampleRate(ref BitReader bits)
    {
        int index = (int)bits.ReadBits(4);
        if (index == 15)
        {
            int rate = (int)bits.ReadBits(24);
            return rate is > 0 and <= 384000 ? rate : ThrowHelper.Malformed<int>($"AAC explicit sample rate {rate}");
        }

        return index < SampleRates.Length ? SampleRates[index] : ThrowHelper.Malformed<int>($"AAC sampling frequency index {index}");
    }
}
