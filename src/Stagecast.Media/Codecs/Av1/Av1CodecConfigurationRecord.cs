namespace Stagecast.Media.Codecs.Av1;

/// <summary>
/// AV1CodecConfigurationRecord (AV1 ISOBMFF binding 2.3.3), the payload of an Enhanced RTMP av01 sequence start
/// and of the fMP4 av1C box.
/// <code>
/// 1 marker=1 7 version=1 | 3 seq_profile 5 seq_level_idx_0 | 1 tier 1 high_bitdepth 1 twelve_bit 1 monochrome
/// 1 subsampling_x 1 subsampling_y 2 chroma_sample_position | 3 rsv 1 delay_present 4 delay | configOBUs
/// </code>
/// </summary>
public sealed class Av1CodecConfigurationRecord
{
    public required int SeqProfile { get; init; }

    public required int SeqLevelIdx0 { get; init; }

    public required bool HighTier { get; init; }

    public required int BitDepth { get; init; }

    public required byte[] ConfigObus { get; init; }

    /// <summary>RFC 6381 codec string per the AV1 ISOBMFF binding: <c>av01.P.LLT.DD</c>.</summary>
    public string CodecString => $"av01.{SeqProfile}.{SeqLevelIdx0:D2}{(HighTier ? 'H' : 'M')}.{BitDepth:D2}";

    public static Av1CodecConfigurationRecord Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4)
        {
            ThrowHelper.Malformed($"AV1CodecConfigurationRecord of {data.Length} bytes, at least 4 needed");
        }

        if (data[0] != 0x81)
        {
            ThrowHelper.Malformed($"AV1CodecConfigurationRecord marker/version byte 0x{data[0]:X2}, expected 0x81");
        }

        bool highBitdepth = (data[2] & 0x40) != 0;
        bool twelveBit = (data[2] & 0x20) != 0;
        return new Av1CodecConfigurationRecord
        {
            SeqProfile = data[1] >> 5,
            SeqLevelIdx0 = data[1] & 0x1F,
            HighTier = (data[2] & 0x80) != 0,
            BitDepth = highBitdepth ? (twelveBit ? 12 : 10) : 8,
            ConfigObus = data[4..].ToArray(),
        };
    }
}
