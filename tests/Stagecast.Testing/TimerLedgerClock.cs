using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Stagecast.Testing;

/// <summary>
/// A manual clock that keeps a ledger of its timers: which are armed and when each is due next. On a server running on
/// it, the ledger is what would wake that server when nothing happens (timers, <c>Task.Delay</c>, <c>PeriodicTimer</c>
/// and timed cancellations all go through <see cref="TimeProvider.CreateTimer"/>).
/// </summary>
public sealed class TimerLedgerClock : FakeTimeProvider
{
    private readonly ConcurrentDictionary<LedgeredTimer, byte> _timers = new();

    /// <summary>When each armed timer is due next, from now (soonest first).</summary>
    public IReadOnlyList<TimeSpan> ArmedDueIn()
    {
        var now = GetUtcNow();
        return [.. _timers.Keys.Select(t => t.DueAt).OfType<DateTimeOffset>().Select(due => due - now).Order()];
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new LedgeredTimer(this, callback, state);
        _timers[timer] = 0;
        timer.Arm(dueTime, period);
        timer.Inner = base.CreateTimer(static s => ((LedgeredTimer)s!).Fire(), timer, dueTime, period);
        return timer;
    }

    private sealed class LedgeredTimer(TimerLedgerClock clock, TimerCallback callback, object? state) : ITimer
    {
        private readonly Lock _lock = new();
        private DateTimeOffset? _dueAt;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public ITimer Inner { get; set; } = null!;

        public DateTimeOffset? DueAt
        {
            get
            {
                lock (_lock)
                {
                    return _dueAt;
                }
            }
        }

        public void Arm(TimeSpan dueTime, TimeSpan period)
        {
            lock (_lock)
            {
                _dueAt = dueTime == Timeout.InfiniteTimeSpan ? null : clock.GetUtcNow() + dueTime;
                _period = period;
            }
        }

        public void Fire()
        {
            lock (_lock)
            {
                _dueAt = _period == Timeout.InfiniteTimeSpan || _period == TimeSpan.Zero ? null : clock.GetUtcNow() + _period;
            }

            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Arm(dueTime, period);
            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            clock._timers.TryRemove(this, out _);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
