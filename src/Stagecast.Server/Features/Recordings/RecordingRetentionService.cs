using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// Deletes stored recordings (and failed uploads' local copies) past the retention settings, oldest first: those finished before the retention period,
/// then the oldest until the total size fits. At start and every hour.
/// </summary>
public sealed partial class RecordingRetentionService(SqlRecordingStore store, RecordingService recordings, IOptions<RecordingsOptions> options, TimeProvider time,
    ILogger<RecordingRetentionService> logger) : HourlySweep(time, logger)
{
    protected override bool Enabled => options.Value.Retention > TimeSpan.Zero || options.Value.MaxTotalBytes > 0;

    /// <summary>Which of the stored recordings (oldest first) go: too old, or beyond the total size.</summary>
    public static IReadOnlyList<string> Select(IReadOnlyList<(string Id, DateTimeOffset StoppedAt, long Size)> stored, DateTimeOffset now, RecordingsOptions settings)
    {
        var doomed = new List<string>();
        long total = stored.Sum(r => r.Size);
        foreach (var (id, stoppedAt, size) in stored.OrderBy(r => r.StoppedAt))
        {
            bool tooOld = settings.Retention > TimeSpan.Zero && now - stoppedAt > settings.Retention;
            bool tooMuch = settings.MaxTotalBytes > 0 && total > settings.MaxTotalBytes;
            if (!tooOld && !tooMuch)
            {
                continue;
            }

            doomed.Add(id);
            total -= size;
        }

        return doomed;
    }

    protected override string What => "recordings";

    /// <summary>Deletes what the settings say must go; returns how many recordings went.</summary>
    protected override async Task<int> DeleteAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var stored = await store.ListStoredAsync(cancellationToken).ConfigureAwait(false);
        // An uploaded recording takes no room here (its local copy went once the upload was verified).
        var doomed = Select([.. stored.Select(r => (r.Id, r.StoppedTime ?? r.InvokedTime, r.StorageKey is null ? (r.FileSize ?? 0) + (r.CaptionsFileSize ?? 0) : 0))], Time.GetUtcNow(), settings);
        foreach (string id in doomed)
        {
            recordings.DeleteFiles(id);
            await store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        }

        if (doomed.Count > 0)
        {
            Log.Deleted(logger, doomed.Count);
        }

        return doomed.Count;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Deleted {Count} recordings past the retention settings")]
        public static partial void Deleted(ILogger logger, int count);
    }
}
