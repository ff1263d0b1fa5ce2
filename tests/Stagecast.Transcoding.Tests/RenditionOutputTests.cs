using Microsoft.Extensions.Logging.Abstractions;
using Stagecast.Media.Codecs.Aac;
using Stagecast.Streaming;
using Stagecast.Streaming.Renditions;
using Stagecast.Testing;

namespace Stagecast.Transcoding.Tests;

public sealed class RenditionOutputTests
{
    private static readonly byte[] StartCode = [0, 0, 0, 1];

    /// <summary>SPS, PPS and an IDR slice, as ffmpeg writes a keyframe.</summary>
    private static readonly byte[] Keyframe = [.. StartCode, .. GoldenVectors.H264Sps720p, .. StartCode, .. GoldenVectors.H264Pps720p, .. StartCode, 0x65, 0x88, 0x84, 0x00, 0x33];

    /// <summary>An ADTS frame: AAC LC, 48 kHz, stereo, 10 bytes of payload.</summary>
    private static readonly byte[] AudioFrame = [0xFF, 0xF1, 0x4C, 0x80, 0x02, 0x3F, 0xFC, .. new byte[10]];

    [Fact]
    public void PicturesHeldForTheAudiosConfigurationLeaveTheRenditionStartingUntilTheyArePublished()
    {
        var hub = new RenditionHub(TimeProvider.System, NullLogger<StreamHub>.Instance);
        Assert.Equal(PublishResult.Started, hub.Hub.TryPublish("live/180p", new PublisherInfo("transcoder", "127.0.0.1"), out var publisher));
        var output = new RenditionOutput(new Rendition("180p", 180, 300_000), publisher!, DateTimeOffset.UnixEpoch);
        output.Restart(withAudio: true);

        output.WriteVideo(Keyframe, 1000);
        Assert.Null(publisher!.Stream.Audio);
        Assert.Equal(long.MinValue, output.Newest); // held: no reader has it yet
        Assert.Equal(RenditionState.Starting, output.Judge(1000, 1000, 3000));

        Assert.True(AdtsHeader.TryParse(AudioFrame, out var header));
        output.WriteAudio(header, AudioFrame, 1010);
        Assert.NotNull(publisher.Stream.Audio);
        Assert.Equal(1000, output.Newest);
        Assert.Equal(RenditionState.Live, output.Judge(1040, 1000, 3000));
        output.Stop();
    }
}
