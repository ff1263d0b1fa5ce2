using Microsoft.Extensions.Options;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>Deletes chat older than <see cref="ChatOptions.Retention"/>, files and images included: at start, then every hour.</summary>
public sealed partial class ChatRetentionService(IMeetingSessionStore store, ChatFiles files, IOptions<ChatOptions> options, TimeProvider time, ILogger<ChatRetentionService> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Retention <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(Interval, time);
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

    /// <summary>Deletes what is past the retention now, messages and files; returns how many messages went.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        try
        {
            var before = time.GetUtcNow() - options.Value.Retention;
            int deleted = await store.DeleteChatBeforeAsync(before, cancellationToken).ConfigureAwait(false);
            if (deleted > 0)
            {
                Log.Deleted(logger, deleted, options.Value.Retention.TotalDays);
            }

            await files.DeleteBeforeAsync(before, cancellationToken).ConfigureAwait(false);

            return deleted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Failed(logger, ex);
            return 0;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Deleted {Count} chat messages older than {Days} days")]
        public static partial void Deleted(ILogger logger, int count, double days);

        [LoggerMessage(2, LogLevel.Warning, "Deleting old chat failed; the next sweep retries")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
