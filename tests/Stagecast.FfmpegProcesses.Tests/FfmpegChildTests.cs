using System.Buffers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Testing;

namespace Stagecast.FfmpegProcesses.Tests;

/// <summary>One ffmpeg child: pipes in and out, its stderr in the log (and not too much of it), and killed when let go.</summary>
public sealed class FfmpegChildTests : IDisposable
{
    private readonly Scripts _scripts = new();
    private readonly CapturedLogs _logs = new();

    [Fact]
    public async Task WhatGoesInThroughStdinComesOutOfStdout()
    {
        using var launcher = new FfmpegLauncher("ffmpeg", TimeProvider.System);
        await using var child = launcher.Start("copy", ["-f", "s16le", "-ar", "8000", "-ac", "1", "-i", "pipe:0", "-c", "copy", "-f", "s16le", "pipe:1"],
            NullLogger.Instance);
        byte[] input = new byte[16000];
        Random.Shared.NextBytes(input);
        for (int at = 0; at < input.Length; at += 1000)
        {
            child.Input.Write(input.AsSpan(at, 1000));
            Assert.True(child.Input.Commit());
        }

        child.CompleteInput();
        var output = new MemoryStream();
        await child.Output.CopyToAsync(output);
        await child.Exited;

        Assert.Equal(input, output.ToArray());
        Assert.Equal(0, child.ExitCode);
        Assert.Empty(child.LastErrors);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task StderrGoesToTheLogAtMostTwentyLinesAMinuteAndTheNextLineSaysHowManyWereLeftOut()
    {
        var time = new FakeTimeProvider();
        // Fifty lines at once, then one more when its stdin closes.
        string flood = _scripts.Write("flood", "for i in $(seq 1 50); do echo \"bad frame $i\" >&2; done\ncat > /dev/null\necho 'stdin closed' >&2");
        using var launcher = new FfmpegLauncher(flood, time);
        await using var child = launcher.Start("decoder", [], _logs.CreateLogger("owner"));

        await Eventually.TrueAsync(() => child.LastErrors.EndsWith("bad frame 50", StringComparison.Ordinal), "the fifty lines to be read");
        Assert.Equal([.. Enumerable.Range(1, 20).Select(i => $"ffmpeg (decoder, pid {child.ProcessId}): bad frame {i}")], Lines());
        Assert.Equal("bad frame 47\nbad frame 48\nbad frame 49\nbad frame 50", child.LastErrors);

        time.Advance(TimeSpan.FromMinutes(1));
        child.CompleteInput();
        await child.Exited;
        await Eventually.TrueAsync(() => Lines().Count == 21, "the line after the minute");
        Assert.Equal($"ffmpeg (decoder, pid {child.ProcessId}): stdin closed (30 earlier lines left out)", Lines()[^1]);
        Assert.All(_logs.Lines, line => Assert.Equal(LogLevel.Warning, line.Level));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task ALineLongerThanTheLimitIsCutThereAndTheNextLineStandsAlone()
    {
        string longLine = _scripts.Write("long", "head -c 100000 /dev/zero | tr '\\0' x >&2\necho >&2\necho next >&2");
        using var launcher = new FfmpegLauncher(longLine, TimeProvider.System);
        await using var child = launcher.Start("muxer", [], _logs.CreateLogger("owner"));

        await child.Exited;
        await Eventually.TrueAsync(() => Lines().Count == 2, "two lines");
        Assert.Equal($"ffmpeg (muxer, pid {child.ProcessId}): {new string('x', FfmpegChild.MaxErrorLineLength)}", Lines()[0]);
        Assert.EndsWith("): next", Lines()[1], StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task DisposingKillsAChildThatIgnoresSigterm()
    {
        string deaf = _scripts.Write("deaf", "trap '' TERM INT HUP\nexec sleep 600");
        using var launcher = new FfmpegLauncher(deaf, TimeProvider.System);
        var child = launcher.Start("deaf", [], NullLogger.Instance);
        Assert.False(Scripts.Gone(child.ProcessId));

        await child.DisposeAsync();

        Assert.True(child.Exited.IsCompleted);
        Assert.True(Scripts.Gone(child.ProcessId));
        Assert.Equal(0, launcher.Running);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task DisposingTheLauncherKillsEveryChildStillRunningAndStartsNoMore()
    {
        string deaf = _scripts.Write("deaf", "trap '' TERM INT HUP\nexec sleep 600");
        var launcher = new FfmpegLauncher(deaf, TimeProvider.System);
        await using var first = launcher.Start("first", [], NullLogger.Instance);
        await using var second = launcher.Start("second", [], NullLogger.Instance);

        launcher.Dispose();

        await Task.WhenAll(first.Exited, second.Exited).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Throws<ObjectDisposedException>(() => launcher.Start("third", [], NullLogger.Instance));
    }

    [Fact]
    public async Task RunningToTheEndGivesTheExitCodeAndTheLastErrors()
    {
        using var launcher = new FfmpegLauncher("ffmpeg", TimeProvider.System);
        string missing = Path.Combine(Path.GetTempPath(), $"stagecast-missing-{Guid.NewGuid():N}.mp4");

        var exit = await launcher.RunAsync("finisher", ["-i", missing, "-c", "copy", "-f", "null", "-"], NullLogger.Instance);

        Assert.NotEqual(0, exit.ExitCode);
        Assert.Contains("No such file or directory", exit.Errors);
        Assert.Equal(0, launcher.Running);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task AChildLivesOnWhenTheThreadThatStartedItHasEnded()
    {
        // A child dies with the thread that forked it (PR_SET_PDEATHSIG), and the thread pool ends idle threads.
        using var launcher = new FfmpegLauncher("ffmpeg", TimeProvider.System);
        FfmpegChild? child = null;
        string? thread = null;
        var starter = new Thread(() =>
        {
            thread = new FileInfo("/proc/thread-self").LinkTarget; // "<pid>/task/<tid>"
            child = launcher.Start("copy", ["-probesize", "32", "-analyzeduration", "0", "-f", "s16le", "-ar", "8000", "-ac", "1", "-i", "pipe:0",
                "-c", "copy", "-flush_packets", "1", "-f", "s16le", "pipe:1"], NullLogger.Instance);
        });
        starter.Start();
        starter.Join();
        await Eventually.TrueAsync(() => !Directory.Exists($"/proc/{thread}"), "the starting thread to be gone from the kernel");
        await using var running = child!;

        running.Input.Write(new byte[8192]);
        Assert.True(running.Input.Commit());
        var read = await running.Output.ReadAtLeastAsync(4096);
        Assert.True(read.Buffer.Length >= 4096, $"{read.Buffer.Length} bytes back; exited: {running.Exited.IsCompleted}");
        Assert.False(running.Exited.IsCompleted);
    }

    public void Dispose() => _scripts.Dispose();

    private List<string> Lines() => [.. _logs.Lines.Select(line => line.Message)];
}
