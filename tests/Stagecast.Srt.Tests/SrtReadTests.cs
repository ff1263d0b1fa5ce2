using Stagecast.Testing;

namespace Stagecast.Srt.Tests;

public class SrtReadTests
{
    [Fact]
    public async Task SrtLiveTransmitReadsALiveStreamBackAsMpegTs()
    {
        await using var srt = await SrtServerHarness.StartAsync();
        srt.Keys.Add("key-read", "stream-read");
        await using var ffmpeg = Ffmpeg.PublishSrt(srt.PublishUrl("key-read"), Ffmpeg.AudioVideo(60, "320x180"));
        var stream = await srt.LiveStreamAsync("stream-read", s => s.IngestedDuration >= TimeSpan.FromSeconds(1) && s.Audio is not null);

        string directory = Directory.CreateTempSubdirectory("stagecast-srt-read-").FullName;
        string path = Path.Combine(directory, "read.ts");
        try
        {
            var (_, _, error) = await ExternalProcess.RunAsync("bash",
                ["-c", $"srt-live-transmit -a no -q -t 4 '{srt.ReadUrl("stream-read")}' file://con > {path}"], TimeSpan.FromSeconds(60));
            Assert.True(new FileInfo(path).Length > 10_000, $"read {new FileInfo(path).Length} bytes: {error}");

            var streams = await Ffmpeg.ProbeAsync(path);
            Assert.Contains(streams, s => s is { Codec: "h264", Width: 320, Height: 180 });
            Assert.Contains(streams, s => s is { Codec: "aac", SampleRate: 48000 });
            var (exitCode, _, errors) = await Ffmpeg.DecodeAsync(path, 3);
            Assert.True(exitCode == 0 && errors.Length == 0, errors);
            Assert.Equal(0, stream.Viewers); // the reader left with srt-live-transmit
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A reader whose player stopped reading (a pipe nobody drains): the publisher goes on as before.</summary>
    [Fact]
    public async Task AStuckReaderNeverSlowsThePublisher()
    {
        await using var srt = await SrtServerHarness.StartAsync();
        srt.Keys.Add("key-stuck", "stream-stuck");
        await using var ffmpeg = Ffmpeg.PublishSrt(srt.PublishUrl("key-stuck"), Ffmpeg.AudioVideo(60, "320x180"));
        var stream = await srt.LiveStreamAsync("stream-stuck", s => s.IngestedDuration >= TimeSpan.FromSeconds(1));

        await using var stuck = ExternalProcess.Start("bash", ["-c", $"srt-live-transmit -a no -q '{srt.ReadUrl("stream-stuck")}' file://con | sleep 60"]);
        await Eventually.TrueAsync(() => stream.Viewers == 1, "the stuck reader attached");
        var before = stream.IngestedDuration;
        await Eventually.TrueAsync(() => stream.IngestedDuration >= before + TimeSpan.FromSeconds(5), "five more seconds of media from the publisher");
        Assert.Equal(1, stream.Viewers);
    }

    [Fact]
    public async Task ReadingAStreamThatIsNotLiveIsRefused()
    {
        await using var srt = await SrtServerHarness.StartAsync();
        var (_, _, _) = await ExternalProcess.RunAsync("bash",
            ["-c", $"srt-live-transmit -a no -q -t 3 '{srt.ReadUrl("no-such-stream")}' file://con > /dev/null"], TimeSpan.FromSeconds(60));
        Assert.Contains(srt.Logs.Lines, l => l.Message.Contains("no live stream no-such-stream to read (reject code 1404)", StringComparison.Ordinal));
    }
}
