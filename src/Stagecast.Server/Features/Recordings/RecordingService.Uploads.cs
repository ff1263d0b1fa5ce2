using Stagecast.Recording;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Recordings;

/// <summary>Uploads to S3-compatible storage, and what a stopped server left behind, finished at the next start.</summary>
public sealed partial class RecordingService
{
    /// <summary>
    /// At start: recordings this node left active are finished from what is on disk (fragments play), and uploaded if
    /// they go to a storage; those it left <c>UPLOADING</c> are uploaded again from their local copy (kept until the
    /// upload is verified), or <c>ERRORED</c> when it is gone.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        foreach (var record in await store.ListActiveAsync(cancellationToken).ConfigureAwait(false))
        {
            bool finished = await RecordingFinisher.FinishAsync(FileOf(record) + ".part", FileOf(record), cancellationToken).ConfigureAwait(false) is null;
            var now = time.GetUtcNow();
            var done = finished
                ? record with
                {
                    Status = record.SealedStorage is null ? RecordingStatus.Uploaded : RecordingStatus.Uploading,
                    StoppedTime = now,
                    StopReason = "SERVER_STOPPED",
                    FileSize = new FileInfo(FileOf(record)).Length,
                    CaptionsFileSize = SizeOf(CaptionsOf(record)),
                }
                : record with { Status = RecordingStatus.Errored, StoppedTime = now, StopReason = "SERVER_STOPPED", Error = "the server stopped before anything was recorded" };
            await SaveAsync(done, create: false).ConfigureAwait(false);
            if (done.Status == RecordingStatus.Uploading)
            {
                StartUpload(done);
            }
        }

        foreach (var record in await store.ListUploadingAsync(cancellationToken).ConfigureAwait(false))
        {
            if (File.Exists(FileOf(record)))
            {
                StartUpload(record);
                continue;
            }

            var lost = record with { Status = RecordingStatus.Errored, Error = "the server stopped during the upload and the local copy is gone" };
            await SaveAsync(lost, create: false).ConfigureAwait(false);
        }
    }

    /// <summary>Uploads a finished recording (saved <c>UPLOADING</c>) in the background: the stop that finished it answers at once.</summary>
    private void StartUpload(Recording record) => _ = UploadAsync(record);

    /// <summary>
    /// <c>UPLOADED</c> once the stored object is verified, then the local copy is removed; <c>ERRORED</c> with the
    /// reason when the storage fails, refuses, redirects, may not be reached, or takes longer than
    /// <see cref="RecordingsOptions.UploadTimeout"/>: the local copy is then kept, and retention deletes it like a stored
    /// recording's. A shutdown leaves it <c>UPLOADING</c>, for the next start.
    /// </summary>
    private async Task UploadAsync(Recording record)
    {
        await Task.Yield();
        var stopping = lifetime.ApplicationStopping;
        var limit = options.Value.UploadTimeout;
        try
        {
            var target = storage.Unseal(record.SealedStorage!);
            string key = target.KeyOf(record.OutputFileName);
            using var timeout = new CancellationTokenSource(limit, time);
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, stopping);
            Recording done;
            try
            {
                await storage.UploadAsync(target, FileOf(record), key, cancel.Token).ConfigureAwait(false);
                if (record.CaptionsFileSize is not null)
                {
                    await storage.UploadAsync(target, CaptionsOf(record), target.KeyOf(record.CaptionsFileName), cancel.Token).ConfigureAwait(false);
                }

                done = record with { Status = RecordingStatus.Uploaded, StorageKey = key };
            }
            catch (Exception ex) when (!stopping.IsCancellationRequested)
            {
                string reason = timeout.IsCancellationRequested
                    ? $"the upload to the storage took longer than {limit} (Stagecast:Recordings:UploadTimeout)"
                    : $"the upload to the storage failed: {(ex is HttpRequestException { InnerException: DestinationRefusedException refused } ? refused.Message : ex.Message)}";
                RecordingLog.UploadFailed(logger, record.Id, reason);
                done = record with { Status = RecordingStatus.Errored, Error = reason };
            }

            await SaveAsync(done, create: false).ConfigureAwait(false);
            if (done.Status == RecordingStatus.Uploaded)
            {
                File.Delete(FileOf(record)); // after the save: a crash in between leaves a file, never a lost recording
                File.Delete(CaptionsOf(record));
            }
        }
        catch (Exception ex) when (stopping.IsCancellationRequested)
        {
            RecordingLog.UploadInterrupted(logger, ex, record.Id);
        }
        catch (Exception ex)
        {
            RecordingLog.UploadNotSaved(logger, ex, record.Id);
        }
    }
}
