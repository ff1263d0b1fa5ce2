namespace Stagecast.Media.MpegTs;

/// <summary>The stream_type values of a PMT that Stagecast reads or writes (ISO/IEC 13818-1 Table 2-34).</summary>
public static class TsStreamType
{
    /// <summary>PES packets with private data: Opus when the registration descriptor says "Opus".</summary>
    public const byte PrivatePes = 0x06;

    /// <summary>AAC in ADTS frames (ISO/IEC 13818-7).</summary>
    public const byte AacAdts = 0x0F;

    /// <summary>H.264 in Annex B byte stream format.</summary>
    public const byte H264 = 0x1B;

    /// <summary>H.265 in Annex B byte stream format.</summary>
    public const byte H265 = 0x24;
}
