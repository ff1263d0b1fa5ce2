namespace Stagecast.Server.Hosting;

/// <summary>
/// A background sweep (retention of chat, recordings, transcripts): once at start, then every hour until shutdown, while
/// <see cref="Enabled"/>. A sweep that fails logs it itself and is tried again at the next tick.
/// </summary>
public abstract class HourlySweep(TimeProvider time) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected TimeProvider Time { get; } = time;

    /// <summary>Whether the settings ask for sweeps at all.</summary>
    protected abstract bool Enabled { get; }

    /// <summary>Deletes what must go now; returns how many items went.</summary>
    public abstract Task<int> SweepAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, Time);
        try
        {
            do
            {
                await SweepAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            // shutting down
        }
    }
}
