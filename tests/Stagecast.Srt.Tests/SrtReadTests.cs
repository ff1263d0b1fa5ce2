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

    [Fact]
    public async Task ReadingAStreamThatIsNotLiveIsRefused()
    {
        await using var srt = await SrtServerHarness.StartAsync();
        var (_, _, _) = await ExternalProcess.RunAsync("bash",
            ["-c", $"srt-live-transmit -a no -q -t 3 '{srt.ReadUrl("no-such-stream")}' file://con > /dev/null"], TimeSpan.FromSeconds(60));
        Assert.Contains(srt.Logs.Lines, l => l.Message.Contains("no live stream no-such-stream to read (reject code 1404)", StringComparison.Ordinal));
    }
}
