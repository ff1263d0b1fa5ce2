using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Aac;
using Stagecast.Media.Codecs.Av1;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.H265;
using Stagecast.Testing;

namespace Stagecast.Media.Tests;

public class CodecConfigTests
{
    [Fact]
    public void H264SpsOf720pHighProfile()
    {
        var sps = H264SequenceParameterSet.Parse(GoldenVectors.H264Sps720p);
        Assert.Equal((100, 0, 31), ((int)sps.ProfileIdc, (int)sps.ConstraintFlags, (int)sps.LevelIdc));
        Assert.Equal((1280, 720), (sps.Width, sps.Height));
        Assert.Equal(30.0, sps.FrameRate);
    }

    [Fact]
    public void H264SpsOf1080pAppliesCropping()
    {
        var sps = H264SequenceParameterSet.Parse(GoldenVectors.H264Sps1080p);
        Assert.Equal((1920, 1080), (sps.Width, sps.Height));
        Assert.Equal(25.0, sps.FrameRate);
    }

    [Fact]
    public void AvcRecordBuildsAndParsesToGoldenBytes()
    {
        byte[] record = AvcDecoderConfigurationRecord.Build(GoldenVectors.H264Sps720p, GoldenVectors.H264Pps720p);
        Assert.Equal("0164001fffe1001a" + Hex.Of(GoldenVectors.H264Sps720p) + "010004" + Hex.Of(GoldenVectors.H264Pps720p), Hex.Of(record));
        var parsed = AvcDecoderConfigurationRecord.Parse(record);
        Assert.Equal(4, parsed.NalLengthSize);
        Assert.Equal(GoldenVectors.H264Sps720p, parsed.SequenceParameterSets.Single());
        Assert.Equal(GoldenVectors.H264Pps720p, parsed.PictureParameterSets.Single());
    }

    [Fact]
    public void VideoTrackConfigFromAvcRecord()
    {
        var config = VideoTrackConfig.Parse(VideoCodec.H264, GoldenVectors.AvcRecord720p);
        Assert.Equal(("avc1.64001f", 1280, 720, 4), (config.CodecString, config.Width, config.Height, config.NalLengthSize));
        Assert.Equal([GoldenVectors.H264Sps720p, GoldenVectors.H264Pps720p], config.ParameterSets);
    }

    [Fact]
    public void H265SpsAndRecord()
    {
        var sps = H265SequenceParameterSet.Parse(GoldenVectors.H265Sps);
        Assert.Equal((640, 360), (sps.Width, sps.Height));
        Assert.Equal((1, 63, 8), (sps.ProfileTierLevel.ProfileIdc, sps.ProfileTierLevel.LevelIdc, sps.BitDepthLuma));

        byte[] record = HevcDecoderConfigurationRecord.Build(GoldenVectors.H265Vps, GoldenVectors.H265Sps, GoldenVectors.H265Pps);
        Assert.Equal("01016000000090000000000" + "03f", Hex.Of(record.AsSpan(0, 13)));
        var parsed = HevcDecoderConfigurationRecord.Parse(record);
        Assert.Equal(GoldenVectors.H265Sps, parsed.FindFirst(H265NalType.Sps));
        Assert.Equal(GoldenVectors.H265Vps, parsed.FindFirst(H265NalType.Vps));
        Assert.Equal(4, parsed.NalLengthSize);

        var config = VideoTrackConfig.Parse(VideoCodec.H265, record);
        Assert.Equal(("hvc1.1.6.L63.90", 640, 360), (config.CodecString, config.Width, config.Height));
        Assert.Equal([GoldenVectors.H265Vps, GoldenVectors.H265Sps, GoldenVectors.H265Pps], config.ParameterSets);
    }

    [Fact]
    public void Av1SequenceHeaderAndRecord()
    {
        var header = Av1SequenceHeader.FindIn(GoldenVectors.Av1Obus);
        Assert.NotNull(header);
        Assert.Equal((0, 320, 240), (header.SeqProfile, header.MaxFrameWidth, header.MaxFrameHeight));

        byte[] record = [0x81, 0x00, 0x0C, 0x00, .. GoldenVectors.Av1Obus.AsSpan(2)];
        var config = VideoTrackConfig.Parse(VideoCodec.Av1, record);
        Assert.Equal(("av01.0.00M.08", 320, 240), (config.CodecString, config.Width, config.Height));
        Assert.Empty(config.ParameterSets);
    }

    [Theory]
    [InlineData("1190", 2, 48000, 2)]
    [InlineData("1210", 2, 44100, 2)]
    [InlineData("1188", 2, 48000, 1)]
    [InlineData("2b1188", 5, 24000, 2)] // HE-AAC, explicit SBR: core 24 kHz, output 48 kHz
    public void AudioSpecificConfigs(string hex, int objectType, int sampleRate, int channels)
    {
        var config = AudioSpecificConfig.Parse(Hex.Parse(hex));
        Assert.Equal((objectType, sampleRate, channels), (config.ObjectType, config.SampleRate, config.Channels));
    }

    [Fact]
    public void AudioSpecificConfigBuildsGoldenBytes()
    {
        Assert.Equal("1190", Hex.Of(AudioSpecificConfig.Build(2, 48000, 2)));
        Assert.Equal("mp4a.40.2", AudioTrackConfig.ParseAac(GoldenVectors.AacLc44kStereo).CodecString);
    }

    public static TheoryData<string> Configs => new()
    {
        Hex.Of(GoldenVectors.AvcRecord720p),
        Hex.Of(HevcDecoderConfigurationRecord.Build(GoldenVectors.H265Vps, GoldenVectors.H265Sps, GoldenVectors.H265Pps)),
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void EveryTruncatedRecordIsMalformed(string hex)
    {
        byte[] record = Hex.Parse(hex);
        var codec = record.Length > 0 && hex.StartsWith("0164") ? VideoCodec.H264 : VideoCodec.H265;
        for (int length = 0; length < record.Length; length++)
        {
            byte[] prefix = record[..length];
            Assert.Throws<MediaFormatException>(() => VideoTrackConfig.Parse(codec, prefix));
        }
    }

    [Fact]
    public void TruncatedSpsIsMalformed()
    {
        for (int length = 0; length < 9; length++)
        {
            byte[] prefix = GoldenVectors.H264Sps720p[..length];
            Assert.Throws<MediaFormatException>(() => H264SequenceParameterSet.Parse(prefix));
        }
    }

    [Fact]
    public void OversizedParameterSetCountsAreRefused()
    {
        // An HEVC record announcing 0xFFFF parameter sets in one array.
        byte[] record = [.. HevcDecoderConfigurationRecord.Build(GoldenVectors.H265Vps, GoldenVectors.H265Sps, GoldenVectors.H265Pps)[..22], 1, 0xA0, 0xFF, 0xFF];
        Assert.Throws<MediaFormatException>(() => HevcDecoderConfigurationRecord.Parse(record));
    }
}
