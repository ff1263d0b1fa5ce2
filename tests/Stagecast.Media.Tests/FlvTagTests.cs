using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Media.Flv;
using Stagecast.Testing;

namespace Stagecast.Media.Tests;

public class FlvTagTests
{
    [Fact]
    public void LegacyAvcSequenceHeader()
    {
        var packet = FlvVideoTag.Parse(Hex.Parse("1700000000" + "01640020"));
        Assert.Equal(VideoCodec.H264, packet.Codec);
        Assert.Equal(FlvPacketKind.SequenceStart, packet.Kind);
        Assert.True(packet.IsKeyframe);
        Assert.Equal(5, packet.DataOffset);
    }

    [Theory]
    [InlineData("2701000042", 66, false)]
    [InlineData("1701ffffdf", -33, true)]
    public void LegacyAvcNaluWithCompositionTime(string hex, int compositionTime, bool keyframe)
    {
        var packet = FlvVideoTag.Parse(Hex.Parse(hex + "00000001aa"));
        Assert.Equal(FlvPacketKind.CodedFrames, packet.Kind);
        Assert.Equal(compositionTime, packet.CompositionTime);
        Assert.Equal(keyframe, packet.IsKeyframe);
    }

    [Fact]
    public void LegacyHevcCodecId12()
    {
        var packet = FlvVideoTag.Parse(Hex.Parse("1c01000021aa"));
        Assert.Equal(VideoCodec.H265, packet.Codec);
        Assert.Equal(33, packet.CompositionTime);
    }

    [Fact]
    public void EnhancedHevcCodedFramesCarryCompositionTime()
    {
        // IsExHeader | FrameType 1 | PacketType 1 (CodedFrames), "hvc1", SI24 CTS = 66
        var packet = FlvVideoTag.Parse(Hex.Parse("91" + "68766331" + "000042" + "00000001aa"));
        Assert.Equal(VideoCodec.H265, packet.Codec);
        Assert.Equal(FlvPacketKind.CodedFrames, packet.Kind);
        Assert.Equal(66, packet.CompositionTime);
        Assert.Equal(8, packet.DataOffset);
        Assert.True(packet.IsKeyframe);
    }

    [Fact]
    public void EnhancedCodedFramesXHasNoCompositionTime()
    {
        var packet = FlvVideoTag.Parse(Hex.Parse("a3" + "68766331" + "00000001aa"));
        Assert.Equal(FlvPacketKind.CodedFrames, packet.Kind);
        Assert.Equal(0, packet.CompositionTime);
        Assert.Equal(5, packet.DataOffset);
        Assert.False(packet.IsKeyframe);
    }

    [Fact]
    public void EnhancedAv1SequenceStartAndFrames()
    {
        var start = FlvVideoTag.Parse(Hex.Parse("90" + "61763031" + "81000c00"));
        Assert.Equal((VideoCodec.Av1, FlvPacketKind.SequenceStart, 5), (start.Codec, start.Kind, start.DataOffset));
        var frame = FlvVideoTag.Parse(Hex.Parse("91" + "61763031" + "12000a"));
        Assert.Equal((FlvPacketKind.CodedFrames, 5), (frame.Kind, frame.DataOffset));
    }

    [Theory]
    [InlineData("2200")] // Sorenson H.263
    [InlineData("9176703039000000")] // enhanced vp09
    [InlineData("5701")] // legacy command frame
    [InlineData("94" + "68766331" + "02")] // enhanced metadata
    public void OtherVideoIsUnsupportedNotMalformed(string hex) =>
        Assert.Equal(FlvPacketKind.Unsupported, FlvVideoTag.Parse(Hex.Parse(hex)).Kind);

    [Theory]
    [InlineData("")]
    [InlineData("17")]
    [InlineData("170100")]
    [InlineData("9168")]
    [InlineData("9168766331")]
    [InlineData("1709000000")]
    public void TruncatedOrInvalidVideoIsMalformed(string hex) =>
        Assert.Throws<MediaFormatException>(() => FlvVideoTag.Parse(Hex.Parse(hex)));

    [Fact]
    public void AacSequenceHeaderAndRawFrame()
    {
        var header = FlvAudioTag.Parse(Hex.Parse("af00" + "1190"));
        Assert.Equal((AudioCodec.Aac, FlvPacketKind.SequenceStart, 2), (header.Codec, header.Kind, header.DataOffset));
        var frame = FlvAudioTag.Parse(Hex.Parse("af01" + "2100"));
        Assert.Equal(FlvPacketKind.CodedFrames, frame.Kind);
    }

    [Fact]
    public void EnhancedAudioMp4a()
    {
        var packet = FlvAudioTag.Parse(Hex.Parse("91" + "6d703461" + "2100"));
        Assert.Equal((AudioCodec.Aac, FlvPacketKind.CodedFrames, 5), (packet.Codec, packet.Kind, packet.DataOffset));
    }

    [Theory]
    [InlineData("2f00", 2)] // MP3
    [InlineData("90" + "4f707573" + "00", 9)] // enhanced Opus
    public void OtherAudioIsUnsupported(string hex, int soundFormat)
    {
        var packet = FlvAudioTag.Parse(Hex.Parse(hex));
        Assert.Equal(FlvPacketKind.Unsupported, packet.Kind);
        Assert.Equal(soundFormat, packet.SoundFormat);
    }

    [Theory]
    [InlineData("")]
    [InlineData("af")]
    [InlineData("af05")]
    [InlineData("906d7034")]
    public void TruncatedOrInvalidAudioIsMalformed(string hex) =>
        Assert.Throws<MediaFormatException>(() => FlvAudioTag.Parse(Hex.Parse(hex)));
}
