using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Stagecast.Streaming.Logging;

namespace Stagecast.FfmpegProcesses;

/// <summary>What a child that ran to its end left: its exit code and the last lines of its stderr.</summary>
public sealed record FfmpegExit(int ExitCode, string Errors);

/// <summary>
/// The one place ffmpeg children are started, with the binary <c>--ffmpeg</c> names. Arguments go as a list, never
/// through a shell; every child gets <c>-hide_banner -nostdin -loglevel error</c> in front of them and its stdin,
/// stdout and stderr as pipes. Children die with the server, even one killed with SIGKILL (<see cref="ChildSpawner"/>);
/// disposing the launcher (the server stopping) kills those still running at once.
/// </summary>
public sealed partial class FfmpegLauncher : IDisposable
{
    private readonly ConcurrentDictionary<FfmpegChild, byte> _children = new();
    private readonly string _path;
    private readonly TimeProvider _time;
    private volatile bool _disposed;

    /// <param name="logger">Told, once, when ffmpeg or setpriv cannot be found.</param>
    public FfmpegLauncher(string path, TimeProvider time, ILogger? logger = null)
    {
        _path = path;
        _time = time;
        if (logger is null)
        {
            return;
        }

        if (ChildSpawner.Find(path) is null)
        {
            Log.NoFfmpeg(logger, path);
        }

        if (ChildSpawner.Setpriv is null)
        {
            Log.NoSetpriv(logger);
        }
    }

    /// <summary>The ffmpeg binary: a path, or a name looked up on the <c>PATH</c>.</summary>
    public string Path => _path;

    /// <summary>Whether the ffmpeg binary is there now (looked up at each call: an operator may install it while the server runs).</summary>
    public bool IsInstalled => ChildSpawner.Find(_path) is not null;

    /// <summary>The clock of the children's waits and of <see cref="SupervisedFfmpeg"/>'s restart pauses.</summary>
    public TimeProvider Time => _time;

    /// <summary>True once disposed: no child starts any more.</summary>
    public bool IsDisposed => _disposed;

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
        var process = ChildSpawner.Start(_path, ["-hide_banner", "-nostdin", "-loglevel", "error", .. arguments], workingDirectory);
        var child = new FfmpegChild(process, name, maxQueuedWrites, logger, errors ?? new LogLimiter(_time), _time, c => _children.TryRemove(c, out _));
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

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "ffmpeg ({Path}, --ffmpeg) was not found: transcoding, meeting programs and recordings will fail until it is installed")]
        public static partial void NoFfmpeg(ILogger logger, string path);

        [LoggerMessage(2, LogLevel.Warning, "setpriv (util-linux) was not found: ffmpeg children are killed when the server stops, but would outlive a server killed with SIGKILL")]
        public static partial void NoSetpriv(ILogger logger);
    }
}
