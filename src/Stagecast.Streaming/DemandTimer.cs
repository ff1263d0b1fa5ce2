namespace Stagecast.Streaming;

/// <summary>
/// A periodic timer that runs only while there is something to watch, so an idle server has no timer waking it:
/// <see cref="Start"/> after adding what the <c>busy</c> check counts; after a tick that leaves nothing to watch
/// it stops itself. A <see cref="Start"/> racing with that stop is never lost: the stop looks again afterwards.
/// Ticks never overlap: the next one is due a period after the last one finished.
/// </summary>
public sealed class DemandTimer : IDisposable
{
    private readonly TimeSpan _period;
    private readonly Func<Task> _tick;
    private readonly Func<bool> _busy;
    private readonly ITimer _timer;
    private int _running;
    private bool _disposed;

    public DemandTimer(TimeProvider time, TimeSpan period, Func<Task> tick, Func<bool> busy)
    {
        _period = period;
        _tick = tick;
        _busy = busy;
        _timer = time.CreateTimer(static state => _ = ((DemandTimer)state!).TickAsync(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public DemandTimer(TimeProvider time, TimeSpan period, Action tick, Func<bool> busy)
        : this(time, period, () =>
        {
            tick();
            return Task.CompletedTask;
        }, busy)
    {
    }

    /// <summary>True while the timer ticks.</summary>
    public bool IsRunning => Volatile.Read(ref _running) == 1;

    /// <summary>Starts ticking (a no-op while it ticks already).</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _running, 1) == 0)
        {
            Arm();
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _timer.Dispose();
    }

    private void Arm()
    {
        try
        {
            if (!Volatile.Read(ref _disposed))
            {
                _timer.Change(_period, Timeout.InfiniteTimeSpan);
            }
        }
        catch (ObjectDisposedException)
        {
            // disposed meanwhile: shutting down
        }
    }

    private async Task TickAsync()
    {
        try
        {
            await _tick().ConfigureAwait(false);
        }
        finally
        {
            if (_busy())
            {
                Arm();
            }
            else
            {
                Interlocked.Exchange(ref _running, 0); // a full fence: the look below cannot be taken before the stop is seen
                if (_busy())
                {
                    Start();
                }
            }
        }
    }
}
