using Stagecast.Media.Codecs.Av1;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.H265;

namespace Stagecast.Media.Codecs;

/// <summary>
/// What a player needs to decode a video track: the codec's decoder configuration record as sent in the
/// sequence header (avcC, hvcC or av1C, carried unchanged into fMP4) and what was parsed from it.
/// </summary>
public sealed class VideoTrackConfig
{
    private VideoTrackConfig(VideoCodec codec, byte[] record, int width, int height, string codecString, int nalLengthSize, double? frameRate,
        IReadOnlyList<byte[]> parameterSets)
    {
        Codec = codec;
        ConfigurationRecord = record;
        Width = width;
        Height = height;
        CodecString = codecString;
        NalLengthSize = nalLengthSize;
        FrameRate = frameRate;
        ParameterSets = parameterSets;
    }

    public VideoCodec Codec { get; }

    /// <summary>The avcC / hvcC / av1C payload (without box header).</summary>
    public byte[] ConfigurationRecord { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>RFC 6381 codec string for the HLS CODECS attribute, e.g. <c>avc1.64001f</c>.</summary>
    public string CodecString { get; }

    /// <summary>Bytes of the length prefix before each NAL unit in a sample (AVC and HEVC); 0 for AV1.</summary>
    public int NalLengthSize { get; }

    /// <summary>Frame rate signalled in the bitstream (VUI timing), when present.</summary>
    public double? FrameRate { get; }

    /// <summary>
    /// The NAL units the record carries (SPS and PPS for AVC; VPS, SPS, PPS and any SEI for HEVC, in the record's order):
    /// what an Annex B stream repeats before a keyframe. Empty for AV1.
    /// </summary>
    public IReadOnlyList<byte[]> ParameterSets { get; }

    /// <summary>Parses a sequence header. Throws <see cref="MediaFormatException"/> when it is malformed.</summary>
    public static VideoTrackConfig Parse(VideoCodec codec, ReadOnlySpan<byte> record) => codec switch
    {
        VideoCodec.H264 => FromAvc(record),
        VideoCodec.H265 => FromHevc(record),
        VideoCodec.Av1 => FromAv1(record),
        _ => throw new ArgumentOutOfRangeException(nameof(codec)),
    };

    /// <summary>True when both describe the same decoder setup (a repeated sequence header changes nothing).</summary>
    public bool IsSameAs(VideoTrackConfig? other) =>
        other is not null && other.Codec == Codec && other.ConfigurationRecord.AsSpan().SequenceEqual(ConfigurationRecord);

    private static VideoTrackConfig FromAvc(ReadOnlySpan<byte> record)
    {
        var avcc = AvcDecoderConfigurationRecord.Parse(record);
        if (avcc.SequenceParameterSets.Count == 0)
        {
            ThrowHelper.Malformed("AVC sequence header carries no SPS");
        }

        var sps = H264SequenceParameterSet.Parse(avcc.SequenceParameterSets[0]);
        string codecString = $"avc1.{sps.ProfileIdc:x2}{sps.ConstraintFlags:x2}{sps.LevelIdc:x2}";
        return new VideoTrackConfig(VideoCodec.H264, record.ToArray(), sps.Width, sps.Height, codecString, avcc.NalLengthSize, sps.FrameRate,
            [.. avcc.SequenceParameterSets, .. avcc.PictureParameterSets]);
    }

    private static VideoTrackConfig FromHevc(ReadOnlySpan<byte> record)
    {
        var hvcc = HevcDecoderConfigurationRecord.Parse(record);
        byte[]? spsNal = hvcc.FindFirst(H265NalType.Sps);
        if (spsNal is null)
        {
            ThrowHelper.Malformed("HEVC sequence header carries no SPS");
        }

        var sps = H265SequenceParameterSet.Parse(spsNal);
        return new VideoTrackConfig(VideoCodec.H265, record.ToArray(), sps.Width, sps.Height, hvcc.CodecString, hvcc.NalLengthSize, null,
            [.. hvcc.Arrays.SelectMany(a => a.Units)]);
    }

    private static VideoTrackConfig FromAv1(ReadOnlySpan<byte> record)
    {
        var av1c = Av1CodecConfigurationRecord.Parse(record);
        var header = Av1SequenceHeader.FindIn(av1c.ConfigObus);
        if (header is null)
        {
            ThrowHelper.Malformed("AV1 sequence header (av1C) carries no sequence header OBU");
        }

        return new VideoTrackConfig(VideoCodec.Av1, record.ToArray(), header.MaxFrameWidth, header.MaxFrameHeight, av1c.CodecString, 0, null, []);
    }
}
