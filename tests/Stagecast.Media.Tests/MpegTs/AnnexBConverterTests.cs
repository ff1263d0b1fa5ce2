using Stagecast.Media.Codecs;
using Stagecast.Testing;

namespace Stagecast.Media.Tests.MpegTs;

public class AnnexBConverterTests
{
    [Fact]
    public void ParameterSetsAndDelimitersLeaveTheSample()
    {
        var converter = new AnnexBConverter(VideoCodec.H264);
        byte[] annexB = [0, 0, 0, 1, 0x09, 0xF0, 0, 0, 0, 1, .. GoldenVectors.H264Sps720p, 0, 0, 1, .. GoldenVectors.H264Pps720p, 0, 0, 1, 0x65, 0x88, 0x84, 0, 0];
        Assert.True(converter.TryConvert(annexB, out byte[]? buffer, out int length, out bool keyframe));
        Assert.Equal("00000003658884", Hex.Of(buffer.AsSpan(0, length)));
        Assert.True(keyframe);
        Assert.True(converter.ParameterSetsChanged);
        Assert.Equal(GoldenVectors.AvcRecord720p, converter.ConfigurationRecord());
        MediaBufferPool.Shared.Return(buffer!);
    }

    [Fact]
    public void AnAccessUnitOfParameterSetsOnlyGivesNoSample()
    {
        var converter = new AnnexBConverter(VideoCodec.H265);
        byte[] annexB = [0, 0, 1, .. GoldenVectors.H265Vps, 0, 0, 1, .. GoldenVectors.H265Sps, 0, 0, 1, .. GoldenVectors.H265Pps];
        Assert.False(converter.TryConvert(annexB, out byte[]? buffer, out _, out _));
        Assert.Null(buffer);
        var config = VideoTrackConfig.Parse(VideoCodec.H265, converter.ConfigurationRecord());
        Assert.Equal((640, 360), (config.Width, config.Height));
    }

    [Fact]
    public void DataBeforeTheFirstStartCodeIsMalformed() =>
        Assert.Throws<MediaFormatException>(() => new AnnexBConverter(VideoCodec.H264).TryConvert([0x65, 0, 0, 1, 0x65], out _, out _, out _));

    /// <summary>Found by fuzzing: a two-byte SPS reached the avcC builder, which threw ArgumentException.</summary>
    [Fact]
    public void ATruncatedSpsIsMalformed() =>
        Assert.Throws<MediaFormatException>(() => new AnnexBConverter(VideoCodec.H264).TryConvert([0, 0, 1, 0x67, 0x42], out _, out _, out _));
}
