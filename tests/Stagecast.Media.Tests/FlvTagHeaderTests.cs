using Stagecast.Media.Codecs;
using Stagecast.Media.Flv;
using Stagecast.Testing;

namespace Stagecast.Media.Tests;

public class FlvTagHeaderTests
{
    [Theory]
    [InlineData(VideoCodec.H264, FlvPacketKind.SequenceStart, true, 0, "1700000000")]
    [InlineData(VideoCodec.H264, FlvPacketKind.CodedFrames, true, 66, "1701000042")]
    [InlineData(VideoCodec.H264, FlvPacketKind.CodedFrames, false, -33, "2701ffffdf")]
    [InlineData(VideoCodec.H265, FlvPacketKind.SequenceStart, true, 0, "9068766331")]
    [InlineData(VideoCodec.H265, FlvPacketKind.CodedFrames, true, 33, "9168766331000021")]
    [InlineData(VideoCodec.H265, FlvPacketKind.CodedFrames, false, 0, "a368766331")]
    [InlineData(VideoCodec.Av1, FlvPacketKind.SequenceStart, true, 0, "9061763031")]
    [InlineData(VideoCodec.Av1, FlvPacketKind.CodedFrames, false, 0, "a161763031")]
    public void VideoHeadersAreGoldenAndParseBack(VideoCodec codec, FlvPacketKind kind, bool keyframe, int compositionTime, string hex)
    {
        var buffer = new byte[FlvTagHeader.MaxLength];
        int length = FlvTagHeader.WriteVideo(buffer, codec, kind, keyframe, compositionTime);
        Assert.Equal(hex, Hex.Of(buffer.AsSpan(0, length)));

        var parsed = FlvVideoTag.Parse([.. buffer.AsSpan(0, length), 0xAA]);
        Assert.Equal((codec, kind, keyframe, compositionTime, length), (parsed.Codec, parsed.Kind, parsed.IsKeyframe, parsed.CompositionTime, parsed.DataOffset));
    }

    [Theory]
    [InlineData(FlvPacketKind.SequenceStart, "af00")]
    [InlineData(FlvPacketKind.CodedFrames, "af01")]
    public void AudioHeadersAreGoldenAndParseBack(FlvPacketKind kind, string hex)
    {
        var buffer = new byte[2];
        FlvTagHeader.WriteAudio(buffer, kind);
        Assert.Equal(hex, Hex.Of(buffer));
        Assert.Equal(kind, FlvAudioTag.Parse([.. buffer, 0x11]).Kind);
    }
}
