using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Stagecast.FfmpegProcesses;
using Stagecast.Testing;
using Stagecast.Transcoding.Encoders;

namespace Stagecast.Transcoding.Tests;

/// <summary>
/// Which encoder renditions get (<c>--transcode-hwaccel</c>): read from ffmpeg's listing of encoders (captured from
/// Debian 12's ffmpeg 5.1, which lists NVENC, QSV and VAAPI on a machine with none of them) and tried on a test
/// picture; x264 whenever no hardware encoder works. The machine the tests run on has no GPU.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EncoderProbeTests : IDisposable
{
    private static readonly string Captured = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "encoders-ffmpeg-5.1-debian12.txt"));
    private readonly string _directory = Directory.CreateTempSubdirectory("stagecast-encoder-probe-").FullName;
    private readonly CapturedLogs _logs = new();

    [Fact]
    public void TheListingGivesTheVideoEncodersOnly()
    {
        var encoders = EncoderListing.VideoEncoders(Captured);

        Assert.Superset(new HashSet<string> { "libx264", "h264_nvenc", "h264_qsv", "h264_vaapi", "libx265" }, encoders.ToHashSet());
        Assert.DoesNotContain("aac", encoders);
        Assert.DoesNotContain("=", encoders); // the legend ("V..... = Video") is not an encoder
        Assert.Empty(EncoderListing.VideoEncoders(Captured[..Captured.IndexOf("------", StringComparison.Ordinal)]));
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("nvenc")]
    [InlineData("vaapi")]
    [InlineData("qsv")]
    public async Task WithoutTheHardwareX264EncodesWhatEverTheOperatorAllows(string hwAccel)
    {
        Assert.Equal(VideoEncoder.Libx264, await ProbeAsync("ffmpeg", hwAccel));
        Assert.Contains(_logs.Lines, line => line.Message.Contains("cannot encode with it here", StringComparison.Ordinal));
        Assert.Contains(_logs.Lines, line => line.Level == LogLevel.Warning && line.Message.Contains("encoded with libx264", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AutoTakesTheFirstListedEncoderThatWorksAndTriesNoneNotListed()
    {
        // A stand-in ffmpeg: the captured listing without NVENC, and only QSV's test picture succeeding.
        string listing = Path.Combine(_directory, "listing.txt");
        File.WriteAllLines(listing, Captured.Split('\n').Where(line => !line.Contains("nvenc", StringComparison.Ordinal)));
        string ffmpeg = Script($"case \"$*\" in *-encoders*) cat '{listing}';; *h264_qsv*) exit 0;; *) exit 1;; esac");

        Assert.Equal(VideoEncoder.Qsv, await ProbeAsync(ffmpeg, "auto"));
        Assert.Contains(_logs.Lines, line => line.Message == "ffmpeg has no h264_nvenc");
        Assert.Contains(_logs.Lines, line => line.Message == "Renditions are encoded with h264_qsv");
    }

    [Fact]
    public async Task NoneProbesNothing()
    {
        Assert.Equal(VideoEncoder.Libx264, await ProbeAsync(Script("exit 1"), "none"));
        Assert.Empty(_logs.Lines);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<VideoEncoder> ProbeAsync(string ffmpegPath, string hwAccel)
    {
        using var ffmpeg = new FfmpegLauncher(ffmpegPath, TimeProvider.System);
        using var loggers = new LoggerFactory([_logs]);
        var probe = new EncoderProbe(ffmpeg, Options.Create(new TranscodeOptions { HwAccel = hwAccel }), loggers.CreateLogger<EncoderProbe>());
        var chosen = await probe.EncoderAsync();
        Assert.Same(probe.EncoderAsync(), probe.EncoderAsync()); // probed once
        return chosen;
    }

    private string Script(string body)
    {
        string path = Path.Combine(_directory, $"ffmpeg-{Guid.NewGuid():n}");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
