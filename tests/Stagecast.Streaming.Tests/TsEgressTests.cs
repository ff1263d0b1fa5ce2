using System.Buffers;
using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Aac;
using Stagecast.Media.MpegTs;
using Stagecast.Streaming.MpegTs;
using Stagecast.Testing;

namespace Stagecast.Streaming.Tests;

/// <summary>Hub frames as MPEG-TS, each frame's bytes written once, into the transport packets.</summary>
public class TsEgressTests
{
    [Fact]
    public void APictureAndItsSoundComeBackAsTheyWent()
    {
        var egress = new TsEgress();
        var output = new ArrayBufferWriter<byte>();
        byte[] picture = [0, 0, 0, 3, 0x65, 1, 2, 0, 0, 1, 0, 0x41, .. Enumerable.Repeat((byte)7, 255)];
        byte[] sound = [.. Enumerable.Range(0, 300).Select(i => (byte)i)];
        Write(egress, output, MediaFrame.Control(MediaFrameKind.VideoConfig, VideoTrackConfig.Parse(VideoCodec.H264, GoldenVectors.AvcRecord720p), 0));
        Write(egress, output, MediaFrame.Control(MediaFrameKind.AudioConfig, AudioTrackConfig.ParseAac(GoldenVectors.AacLc48kStereo), 0));
        Write(egress, output, MediaFrame.Copy(MediaFrameKind.Video, picture, 40, 0, isKeyframe: true));
        Write(egress, output, MediaFrame.Copy(MediaFrameKind.Audio, sound, 50, 0, isKeyframe: true));

        using var demuxer = new TsDemuxer();
        demuxer.Push(output.WrittenSpan);
        Assert.True(demuxer.TryRead(out var video));
        var expected = new ArrayBufferWriter<byte>();
        AnnexBWriter.Write(expected, VideoCodec.H264, picture, 4, [GoldenVectors.H264Sps720p, GoldenVectors.H264Pps720p]);
        Assert.Equal(Hex.Of(expected.WrittenSpan), Hex.Of(video.Payload));
        Assert.Equal((40 * 90) + TsEgress.TimelineOffset, video.Pts);
        Assert.True(demuxer.TryRead(out var audio));
        Assert.Equal(Hex.Of(sound), Hex.Of(audio.Payload[AdtsHeader.MinLength..]));
        MediaBufferPool.Shared.Return(video.Buffer);
        MediaBufferPool.Shared.Return(audio.Buffer);
    }

    [Fact]
    public void AnAacFrameTooLargeForAdtsIsLeftOut()
    {
        // ADTS says 8191 bytes at most, its 7-byte header included: an 8190-byte frame (a publisher's) once threw here.
        var egress = new TsEgress();
        var output = new ArrayBufferWriter<byte>();
        Write(egress, output, MediaFrame.Control(MediaFrameKind.AudioConfig, AudioTrackConfig.ParseAac(GoldenVectors.AacLc48kStereo), 0));
        Write(egress, output, MediaFrame.Copy(MediaFrameKind.Audio, new byte[8190], 0, 0, isKeyframe: true));
        Assert.Equal(0, output.WrittenCount);
        Write(egress, output, MediaFrame.Copy(MediaFrameKind.Audio, new byte[8184], 20, 0, isKeyframe: true));
        Assert.True(output.WrittenCount > 8184);
    }

    private static void Write(TsEgress egress, ArrayBufferWriter<byte> output, MediaFrame frame)
    {
        try
        {
            egress.Write(frame, output);
        }
        finally
        {
            frame.Release();
        }
    }
}
