using Stagecast.Media.Codecs.Aac;

namespace Stagecast.Media.Codecs;

/// <summary>What a player needs to decode an audio track, parsed from the sequence header.</summary>
public sealed class AudioTrackConfig
{
    private AudioTrackConfig(AudioCodec codec, byte[] specificConfig, AudioSpecificConfig parsed)
    {
        Codec = codec;
        SpecificConfig = specificConfig;
        SampleRate = parsed.SampleRate;
        Channels = parsed.Channels;
        ObjectType = parsed.ObjectType;
        CodecString = $"mp4a.40.{parsed.ObjectType}";
    }

    public AudioCodec Codec { get; }

    /// <summary>AAC AudioSpecificConfig bytes (ISO/IEC 14496-3 1.6.2.1).</summary>
    public byte[] SpecificConfig { get; }

    public int SampleRate { get; }

    public int Channels { get; }

    public int ObjectType { get; }

    /// <summary>PCM samples per channel in one access unit (1024 for AAC-LC and, at the core rate, HE-AAC).</summary>
    public const int SamplesPerFrame = 1024;

    public string CodecString { get; }

    public static AudioTrackConfig ParseAac(ReadOnlySpan<byte> audioSpecificConfig) =>
        new(AudioCodec.Aac, audioSpecificConfig.ToArray(), AudioSpecificConfig.Parse(audioSpecificConfig));

    public bool IsSameAs(AudioTrackConfig? other) =>
        other is not null && other.Codec == Codec && other.SpecificConfig.AsSpan().SequenceEqual(SpecificConfig);
}
