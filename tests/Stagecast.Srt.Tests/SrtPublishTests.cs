using Stagecast.Media.Codecs;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Srt.Tests;

public class SrtPublishTests
{
    [Fact]
    public async Task FfmpegPublishesH264AndAac()
    {
        await using var srt = await SrtServerHarness.StartAsync();
        srt.Keys.Add("key-h264", "stream-h264");
        await using var ffmpeg = Ffmpeg.PublishSrt(srt.PublishUrl("key-h264"), Ffmpeg.AudioVideo(30, "320x180"));

        var stream = await srt.LiveStreamAsync("stream-h264", s => s.IngestedDuration >= TimeSpan.FromSeconds(2) && s.Audio is not null);
        Assert.Equal((VideoCodec.H264, 320, 180), (stream.Video!.Codec, stream.Video.Width, stream.Video.Height));
        Assert.Equal((48000, 1), (stream.Audio!.SampleRate, stream.Audio.Channels));
        Assert.Equal("srt", stream.Publisher!.Info.Protocol);
    }

    [Fact]
    public async Task FfmpegPublishesHevcWithTheBareKeyAsStreamId()
    {
        await using var srt = await SrtServerHarness.StartAsync();
        srt.Keys.Add("key-hevc", "stream-hevc");
        await using var ffmpeg = Ffmpeg.PublishSrt($"srt://127.0.0.1:{srt.Port}?streamid=key-hevc", Ffmpeg.HevcAudioVideo(30));

        var stream = await srt.LiveStreamAsync("stream-hevc", s => s.IngestedDuration >= TimeSpan.FromSeconds(2) && s.Audio is not null);
        Assert.Equal((VideoCodec.H265, 320, 180), (stream.Video!.Codec, stream.Video.Width, stream.Video.Height));
        Assert.StartsWith("hvc1.", stream.Video.CodecString);
    }

    [Fact]
    public async Task MalformedMediaClosesOnlyItsOwnConnection()
    {
        await using var srt = await SrtServerHarness.StartAsync();
        srt.Keys.Add("key-good", "stream-good").Add("key-garbage", "stream-garbage");
        await using var good = Ffmpeg.PublishSrt(srt.PublishUrl("key-good"), Ffmpeg.AudioVideo(60, "320x180"));
        var stream = await srt.LiveStreamAsync("stream-good", s => s.IngestedDuration >= TimeSpan.FromSeconds(1));

        // Random bytes where transport packets should be, a message every 10 ms: the demuxer finds no sync byte.
        await using var garbage = ExternalProcess.Start("bash",
            ["-c", $"while true; do head -c 1316 /dev/urandom; sleep 0.01; done | srt-live-transmit -a no -q file://con '{srt.PublishUrl("key-garbage")}'"]);

        await Eventually.TrueAsync(() => srt.Logs.Lines.Any(l => l.Message.Contains("malformed MPEG-TS", StringComparison.Ordinal)), "the garbage publisher closed");
        var before = stream.IngestedDuration;
        await Eventually.TrueAsync(() => stream.IngestedDuration >= before + TimeSpan.FromSeconds(1), "the good publisher carrying on");
        Assert.Equal(HubStreamState.Live, stream.State);
    }
}
