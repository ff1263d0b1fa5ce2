using Microsoft.Extensions.Logging;
using Stagecast.Streaming.Logging;

namespace Stagecast.FfmpegProcesses;

/// <summary>
/// An ffmpeg its user keeps running (a transcoder, a decoder, an encoder): a child is started when input comes and
/// none runs (<see cref="Acquire"/>), and its output is read by the user's reader until it ends. When a child dies,
/// the next input starts another: at once if it had run <see cref="HealthyRun"/>, otherwise after a pause that
/// doubles from <see cref="FirstPause"/> up to <see cref="MaxPause"/>, so an ffmpeg that cannot start does not spin
/// (input meanwhile is dropped). Its stderr and its deaths share one log limiter across restarts. Disposing kills
/// the running child; nothing starts after.
/// </summary>
public sealed partial class SupervisedFfmpeg : IAsyncDisposable
{
    public static readonly TimeSpan HealthyRun = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan MaxPause = TimeSpan.FromSeconds(8);

    private readonly FfmpegLauncher _launcher;
    private readonly string _name;
    private readonly Func<IReadOnlyList<string>> _arguments;
    private readonly Func<FfmpegChild, Task> _readOutput;
    private readonly ILogger _logger;
    private readonly int _maxQueuedWrites;
    private readonly LogLimiter _log;
    private readonly Lock _sync = new();
    private FfmpegChild? _child;
    private bool _everStarted;
    private bool _disposed;
    private long _startedAt;
    private long _diedAt;
    private TimeSpan _pause;

    /// <param name="name">What it is, in the log ("video decoder").</param>
    /// <param name="arguments">ffmpeg's arguments, asked at each start.</param>
    /// <param name="readOutput">Reads a child's output until it ends (the child exited or was killed).</param>
    public SupervisedFfmpeg(FfmpegLauncher launcher, string name, Func<IReadOnlyList<string>> arguments, Func<FfmpegChild, Task> readOutput, ILogger logger,
        int maxQueuedWrites = 512)
    {
        _launcher = launcher;
        _name = name;
        _arguments = arguments;
        _readOutput = readOutput;
        _logger = logger;
        _maxQueuedWrites = maxQueuedWrites;
        _log = new LogLimiter(launcher.Time);
    }

    /// <summary>Children started after one died.</summary>
    public int Restarts { get; private set; }

    /// <summary>The running child's process id, if one runs (diagnostics and tests).</summary>
    public int? ProcessId
    {
        get
        {
            lock (_sync)
            {
                return _child?.ProcessId;
            }
        }
    }

    public bool IsRunning
    {
        get
        {
            lock (_sync)
            {
                return _child is not null;
            }
        }
    }

    /// <summary>
    /// The running child; or, when none runs and <paramref name="mayStart"/>, a new one (<paramref name="started"/>:
    /// the caller writes what a stream begins with first). Null when none runs and none may start: not asked to,
    /// disposed (or the launcher is: the server stops), or pausing after a child died young.
    /// </summary>
    public FfmpegChild? Acquire(bool mayStart, out bool started)
    {
        started = false;
        lock (_sync)
        {
            if (_child is not null || !mayStart || _disposed || _launcher.IsDisposed)
            {
                return _child;
            }

            long now = _launcher.Time.GetTimestamp();
            if (_everStarted && _launcher.Time.GetElapsedTime(_diedAt, now) < _pause)
            {
                return null;
            }

            var child = _launcher.Start(_name, _arguments(), _logger, _maxQueuedWrites, _log);
            Restarts += _everStarted ? 1 : 0;
            _everStarted = true;
            _startedAt = now;
            _child = child;
            started = true;
            _ = Task.Run(() => SuperviseAsync(child));
            return child;
        }
    }

    public async ValueTask DisposeAsync()
    {
        FfmpegChild? child;
        lock (_sync)
        {
            _disposed = true;
            child = _child;
            _child = null;
        }

        if (child is not null)
        {
            await child.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task SuperviseAsync(FfmpegChild child)
    {
        try
        {
            await _readOutput(child).ConfigureAwait(false);
        }
        finally
        {
            lock (_sync)
            {
                if (_child == child && !_disposed)
                {
                    _child = null;
                    long now = _launcher.Time.GetTimestamp();
                    var ran = _launcher.Time.GetElapsedTime(_startedAt, now);
                    _pause = ran >= HealthyRun ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Min(Math.Max(_pause.Ticks * 2, FirstPause.Ticks), MaxPause.Ticks));
                    _diedAt = now;
                    if (_log.TryLog(out long suppressed))
                    {
                        Log.Died(_logger, _name, child.ProcessId, ran.TotalSeconds, _pause.TotalSeconds, suppressed);
                    }
                }
            }

            await child.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning,
            "The {Name}'s ffmpeg (pid {ProcessId}) exited after {Seconds:0.#} s; the next input starts another, {Pause} s from now at the earliest ({Suppressed} more such lines left out)")]
        public static partial void Died(ILogger logger, string name, int processId, double seconds, double pause, long suppressed);
    }
}
