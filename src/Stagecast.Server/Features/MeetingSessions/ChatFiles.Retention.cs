namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>Chat files go with chat's retention (<see cref="ChatRetentionService"/>), from the data directory and the bucket alike.</summary>
public sealed partial class ChatFiles
{
    /// <summary>How many records a sweep reads at a time.</summary>
    private const int SweepBatch = 200;

    /// <summary>
    /// Deletes the files reserved before <paramref name="before"/>: the bytes (in the bucket, or here), then the record,
    /// so a file whose bytes could not be deleted is tried again at the next sweep. In a cluster, a node deletes the files
    /// in the bucket and those in its own data directory. Returns how many went.
    /// </summary>
    public async Task<int> DeleteBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        int deleted = 0;
        (DateTimeOffset CreatedAt, string Id) after = (DateTimeOffset.MinValue, "");
        IReadOnlyList<ChatFile> batch;
        do
        {
            batch = await store.ListBeforeAsync(before, after, SweepBatch, cancellationToken).ConfigureAwait(false);
            foreach (var file in batch)
            {
                try
                {
                    if (file.StorageKey is not null)
                    {
                        await storage.DeleteAsync(file, cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (Hosting.Api.ApiException)
                {
                    continue; // logged by the storage; the next sweep tries again
                }

                File.Delete(BytesOf(file.Id));
                await store.DeleteAsync(file.Id, cancellationToken).ConfigureAwait(false);
                deleted++;
            }

            after = batch.Count > 0 ? (batch[^1].CreatedAt, batch[^1].Id) : after;
        }
        while (batch.Count == SweepBatch);

        if (deleted > 0)
        {
            Log.Deleted(logger, deleted, before);
        }

        return deleted;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Deleted {Count} chat files reserved before {Before}")]
        public static partial void Deleted(ILogger logger, int count, DateTimeOffset before);

        [LoggerMessage(2, LogLevel.Warning, "What a failed upload of chat file {FileId} had charged to its quotas could not be given back: {Reason}")]
        public static partial void NotReleased(ILogger logger, string fileId, string reason);
    }
}
