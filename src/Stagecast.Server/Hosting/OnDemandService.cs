using Stagecast.Streaming;

namespace Stagecast.Server.Hosting;

/// <summary>
/// A hosted service whose periodic work runs only while there is something to do (<see cref="IsBusy"/>): it is
/// woken by the event <see cref="Subscribe"/> attaches to and stops itself once idle, so an idle server has no timer.
/// </summary>
public abstract class OnDemandService : IHostedService, IDisposable
{
    private readonly DemandTimer _timer;

    protected OnDemandService(TimeProvider time, TimeSpan period)
    {
        Time = time;
        _timer = new DemandTimer(time, period, TickAsync, IsBusy);
    }

    protected TimeProvider Time { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Subscribe(_timer.Start);
        if (IsBusy())
        {
            _timer.Start();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Unsubscribe(_timer.Start);
        _timer.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _timer.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The periodic work.</summary>
    protected abstract Task TickAsync();

    /// <summary>True while there is something the work watches.</summary>
    protected abstract bool IsBusy();

    /// <summary>Attaches <paramref name="wake"/> to what makes the service busy (called at start).</summary>
    protected abstract void Subscribe(Action wake);

    protected abstract void Unsubscribe(Action wake);
}
