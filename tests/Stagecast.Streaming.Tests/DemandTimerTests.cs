using Microsoft.Extensions.Time.Testing;
using Stagecast.Testing;

namespace Stagecast.Streaming.Tests;

public sealed class DemandTimerTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TicksOnlyWhileThereIsSomethingToWatch()
    {
        int watched = 0;
        int ticks = 0;
        using var timer = new DemandTimer(_time, Period, () => ticks++, () => watched > 0);

        _time.Advance(Period * 5);
        Assert.Equal(0, ticks);

        watched = 2;
        timer.Start();
        timer.Start();
        _time.Advance(Period);
        _time.Advance(Period);
        Assert.Equal(2, ticks);

        // The tick that finds nothing left stops the timer; time passing then wakes nothing.
        watched = 0;
        _time.Advance(Period);
        Assert.Equal(3, ticks);
        Assert.False(timer.IsRunning);
        _time.Advance(Period * 10);
        Assert.Equal(3, ticks);

        watched = 1;
        timer.Start();
        _time.Advance(Period);
        Assert.Equal(4, ticks);
    }

    [Fact]
    public void AStartWhileTheTimerStopsIsNotLost()
    {
        int watched = 1;
        int ticks = 0;
        int checks = 0;
        DemandTimer? timer = null;
        timer = new DemandTimer(_time, Period, () => ticks++, () =>
        {
            // The tick's check sees nothing; right then another thread adds something and starts the timer,
            // while it still counts as running.
            if (++checks == 2)
            {
                watched = 0;
                bool answer = watched > 0;
                watched = 1;
                timer!.Start();
                return answer;
            }

            return watched > 0;
        });
        using (timer)
        {
            timer.Start();
            _time.Advance(Period);
            _time.Advance(Period);
            Assert.Equal(2, ticks);
            Assert.True(timer.IsRunning);
            _time.Advance(Period);
            Assert.Equal(3, ticks);
        }
    }

    [Fact]
    public async Task ASlowTickIsNeverOverlappedByTheNext()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int running = 0;
        int maxRunning = 0;
        int ticks = 0;
        using var timer = new DemandTimer(_time, Period, async () =>
        {
            maxRunning = Math.Max(maxRunning, Interlocked.Increment(ref running));
            ticks++;
            await release.Task;
            Interlocked.Decrement(ref running);
        }, () => true);

        timer.Start();
        _time.Advance(Period);
        _time.Advance(Period * 5);
        Assert.Equal(1, ticks);

        // Once the slow tick has finished, the next comes a period later.
        release.SetResult();
        await Eventually.TrueAsync(() =>
        {
            _time.Advance(Period);
            return Volatile.Read(ref ticks) >= 2;
        }, "the tick after the slow one");
        Assert.Equal(1, maxRunning);
    }
}
