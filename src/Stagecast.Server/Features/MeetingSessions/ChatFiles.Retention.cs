namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>Chat files go with chat's retention (<see cref="ChatRetentionService"/>), from the data directory and the bucket alike.</summary>
public sealed partial class ChatFiles
{
    /// <summary>
    /// Deletes the files reserved before <paramref name="before"/>: the bytes (in the bucket, or here), then the
    /// sidecar, so a file whose bytes could not be deleted is tried again at the next sweep. Returns how many went.
    /// </summary>
    public async Task<int> DeleteBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return 0;
        }

        await CountAsync().ConfigureAwait(false);
        int deleted = 0;
        foreach (string sidecar in System.IO.Directory.EnumerateFiles(Directory, "*.json"))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var file = await FindAsync(Path.GetFileNameWithoutExtension(sidecar)).ConfigureAwait(false);
            if (file is null || file.CreatedAt >= before)
            {
                continue;
            }

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
            File.Delete(sidecar);
            _files.TryRemove(file.Id, out _);
            _quota.Value.Release(file, ChatFileQuota.CostOf(file));
            deleted++;
        }

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

        [LoggerMessage(2, LogLevel.Warning, "Chat file {FileId}'s record cannot be read, so it is not counted: {Reason}")]
        public static partial void Unreadable(ILogger logger, string fileId, string reason);
    }
}
