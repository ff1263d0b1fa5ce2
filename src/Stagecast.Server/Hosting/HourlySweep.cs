namespace Stagecast.Server.Hosting;

/// <summary>
/// A background sweep (retention of chat, recordings, transcripts): once at start, then every hour until shutdown, while
/// <see cref="Enabled"/>. A sweep that fails is logged and tried again at the next tick.
/// </summary>
public abstract partial class HourlySweep(TimeProvider time, ILogger logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected TimeProvider Time { get; } = time;

    /// <summary>Whether the settings ask for sweeps at all.</summary>
    protected abstract bool Enabled { get; }

    /// <summary>What goes, for the log ("chat", "recordings").</summary>
    protected abstract string What { get; }

    /// <summary>Deletes what must go now, when <see cref="Enabled"/>; returns how many items went (none when it failed, logged).</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return 0;
        }

        try
        {
            return await DeleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Failed(logger, What, ex);
            return 0;
        }
    }

    /// <summary>Deletes what must go now; returns how many items went.</summary>
    protected abstract Task<int> DeleteAsync(CancellationToken cancellationToken);

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

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Deleting old {What} failed; the next sweep retries")]
        public static partial void Failed(ILogger logger, string what, Exception exception);
    }
}
