using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Stagecast.Streaming.Logging;

namespace Stagecast.FfmpegProcesses;

/// <summary>What a child that ran to its end left: its exit code and the last lines of its stderr.</summary>
public sealed record FfmpegExit(int ExitCode, string Errors);

/// <summary>
/// The one place ffmpeg children are started, with the binary <c>--ffmpeg</c> names. Arguments go as a list, never
/// through a shell; every child gets <c>-hide_banner -nostdin -loglevel error</c> in front of them and its stdin,
/// stdout and stderr as pipes. Disposing (the server stopping) kills the children still running.
/// </summary>
public sealed class FfmpegLauncher(string path, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<FfmpegChild, byte> _children = new();
    private volatile bool _disposed;

    /// <summary>The ffmpeg binary: a path, or a name looked up on the <c>PATH</c>.</summary>
    public string Path => path;

    /// <summary>The clock of the children's waits and of <see cref="SupervisedFfmpeg"/>'s restart pauses.</summary>
    public TimeProvider Time => time;

    /// <summary>Children started and not yet disposed (diagnostics and tests).</summary>
    public int Running => _children.Count;

    /// <summary>
    /// Starts ffmpeg with <paramref name="arguments"/>; at most <paramref name="maxQueuedWrites"/> writes wait for its
    /// stdin. Its stderr goes to <paramref name="logger"/> through <paramref name="errors"/> (by default a limiter of
    /// its own). Throws <see cref="ObjectDisposedException"/> once the launcher is disposed.
    /// </summary>
    public FfmpegChild Start(string name, IEnumerable<string> arguments, ILogger logger, int maxQueuedWrites = 512, LogLimiter? errors = null,
        string? workingDirectory = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (string argument in (string[])["-hide_banner", "-nostdin", "-loglevel", "error", .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {path}");
        var child = new FfmpegChild(process, name, maxQueuedWrites, logger, errors ?? new LogLimiter(time), time, c => _children.TryRemove(c, out _));
        _children[child] = 0;
        if (_disposed)
        {
            child.Kill(); // disposed while it started
        }

        return child;
    }

    /// <summary>Runs ffmpeg on files (nothing on stdin, nothing read from stdout) until it exits.</summary>
    public async Task<FfmpegExit> RunAsync(string name, IEnumerable<string> arguments, ILogger logger, CancellationToken cancellationToken = default)
    {
        var child = Start(name, arguments, logger);
        await using (child.ConfigureAwait(false))
        {
            child.CompleteInput();
            await child.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new FfmpegExit(child.ExitCode, child.LastErrors);
        }
    }

    /// <summary>Kills every child still running; nothing starts after.</summary>
    public void Dispose()
    {
        _disposed = true;
        foreach (var child in _children.Keys)
        {
            child.Kill();
        }
    }
}
