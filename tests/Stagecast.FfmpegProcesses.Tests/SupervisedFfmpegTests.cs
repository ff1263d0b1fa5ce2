using System.Buffers;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Testing;

namespace Stagecast.FfmpegProcesses.Tests;

/// <summary>
/// An ffmpeg its user keeps running: started by input, started again after it dies (after a pause that grows while it
/// keeps dying young), and killed when disposed. Real ffmpeg, copying raw audio from stdin to stdout; a fake clock.
/// </summary>
public sealed class SupervisedFfmpegTests : IAsyncDisposable
{
    private static readonly string[] Copy =
        ["-probesize", "32", "-analyzeduration", "0", "-f", "s16le", "-ar", "8000", "-ac", "1", "-i", "pipe:0", "-c", "copy", "-flush_packets", "1", "-f", "s16le", "pipe:1"];
    private readonly FakeTimeProvider _time = new();
    private readonly FfmpegLauncher _launcher;
    private readonly CapturedLogs _logs = new();
    private readonly SupervisedFfmpeg _ffmpeg;
    private long _read;

    public SupervisedFfmpegTests()
    {
        _launcher = new FfmpegLauncher("ffmpeg", _time);
        _ffmpeg = new SupervisedFfmpeg(_launcher, "copier", () => Copy, ReadAsync, _logs.CreateLogger("owner"));
    }

    [Fact]
    public async Task InputStartsAChildAndItsOutputIsRead()
    {
        Assert.Null(_ffmpeg.Acquire(mayStart: false, out _));
        var child = _ffmpeg.Acquire(mayStart: true, out bool started);
        Assert.True(started);
        Assert.Equal(child!.ProcessId, _ffmpeg.ProcessId);

        child.Input.Write(new byte[8192]);
        Assert.True(child.Input.Commit());
        await Eventually.TrueAsync(() => Interlocked.Read(ref _read) >= 4096, "the bytes back (all but the packet ffmpeg holds)");
        Assert.Same(child, _ffmpeg.Acquire(mayStart: true, out started));
        Assert.False(started);
        Assert.Equal(0, _ffmpeg.Restarts);
    }

    [Fact]
    public async Task AChildThatDiesIsReplacedAfterAPauseThatDoublesWhileItDiesYoungAndIsNoneOnceItRanAWhile()
    {
        int first = Start();
        await KillAsync(first);
        Assert.Equal(1, _logs.Lines.Count(line => line.Message.Contains($"The copier's ffmpeg (pid {first}) exited", StringComparison.Ordinal)));

        // It died young: nothing starts until the first pause has passed.
        Assert.Null(_ffmpeg.Acquire(mayStart: true, out _));
        _time.Advance(SupervisedFfmpeg.FirstPause);
        int second = Start();
        Assert.NotEqual(first, second);
        Assert.Equal(1, _ffmpeg.Restarts);

        // Young again: the pause doubles.
        await KillAsync(second);
        _time.Advance(SupervisedFfmpeg.FirstPause);
        Assert.Null(_ffmpeg.Acquire(mayStart: true, out _));
        _time.Advance(SupervisedFfmpeg.FirstPause);
        int third = Start();

        // A child that ran a while is replaced at once, and the pause starts over.
        _time.Advance(SupervisedFfmpeg.HealthyRun);
        await KillAsync(third);
        Start();
        Assert.Equal(3, _ffmpeg.Restarts);

        // The replacement works like the first.
        var replacement = _ffmpeg.Acquire(mayStart: true, out _)!;
        replacement.Input.Write(new byte[8192]);
        Assert.True(replacement.Input.Commit());
        await Eventually.TrueAsync(() => Interlocked.Read(ref _read) >= 4096, "bytes through the replacement");
    }

    [Fact]
    public async Task DisposingKillsTheChildAndNothingStartsAfter()
    {
        int pid = Start();

        await _ffmpeg.DisposeAsync();

        Assert.True(Scripts.Gone(pid));
        Assert.Null(_ffmpeg.Acquire(mayStart: true, out _));
        Assert.Equal(0, _ffmpeg.Restarts);
        Assert.DoesNotContain(_logs.Lines, line => line.Level >= LogLevel.Warning);
    }

    [Fact]
    public void NothingStartsOnceTheLauncherIsDisposed()
    {
        _launcher.Dispose(); // the server stops while input still comes

        Assert.Null(_ffmpeg.Acquire(mayStart: true, out bool started));
        Assert.False(started);
    }

    public async ValueTask DisposeAsync()
    {
        await _ffmpeg.DisposeAsync();
        _launcher.Dispose();
    }

    private int Start()
    {
        var child = _ffmpeg.Acquire(mayStart: true, out bool started);
        Assert.True(started);
        return child!.ProcessId;
    }

    private async Task KillAsync(int pid)
    {
        Process.GetProcessById(pid).Kill();
        await Eventually.TrueAsync(() => !_ffmpeg.IsRunning, "the dead child to be let go");
    }

    private async Task ReadAsync(FfmpegChild child)
    {
        Interlocked.Exchange(ref _read, 0);
        while (true)
        {
            var result = await child.Output.ReadAsync();
            Interlocked.Add(ref _read, result.Buffer.Length);
            child.Output.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }
}
