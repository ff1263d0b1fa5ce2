using Stagecast.Server.Features.LivestreamSessions;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Recordings;

/// <summary>Recordings as the API shows them: a running one as it is now; a stored one with its download links (an hour).</summary>
public sealed class RecordingViews(RecordingService recordings, SqlRecordingStore store, RecordingStorage storage, DownloadSigner signer, PublicUrls urls,
    TimeProvider time) : ILivestreamSessionRecordings
{
    public const string DownloadPath = "/downloads/recordings/{recording_id}/{file}";

    public RecordingDto View(Recording recording)
    {
        if (recordings.TryGet(recording.Id, out var running))
        {
            recording = running.Record with { Duration = Math.Round(running.Seconds, 3) };
        }

        string? download = null;
        DateTimeOffset? expiry = null;
        if (recording.Status == RecordingStatus.Uploaded && recording.StorageKey is { } key && recording.SealedStorage is { } sealedTarget)
        {
            expiry = time.GetUtcNow() + DownloadSigner.Lifetime;
            download = storage.SignedUrl(storage.Unseal(sealedTarget), key, expiry.Value);
        }
        else if (recording.Status == RecordingStatus.Uploaded)
        {
            string path = PathTo(recording, recording.OutputFileName);
            var (query, expires) = signer.Sign(path);
            (download, expiry) = ($"{urls.HttpBase}{path}?{query}", expires);
        }

        var trackViews = recording.Status == RecordingStatus.Uploaded && recording.Tracks is { } recorded
            ? recorded.Select(t =>
            {
                string path = PathTo(recording, t.FileName);
                return new RecordedTrackDto(t.PeerId, t.Source, t.Kind, t.Codec, t.FileName, t.FileSize, $"{urls.HttpBase}{path}?{signer.Sign(path).Query}");
            }).ToList()
            : null;
        return RecordingDto.From(recording, recording.Tracks is null ? download : null, recording.Tracks is null ? expiry : null) with { Tracks = trackViews };
    }

    /// <summary>A livestream session's recording, as <c>GET /recordings/{id}</c> shows it, or null.</summary>
    public async Task<object?> ForSessionAsync(string appId, string sessionId, CancellationToken cancellationToken) =>
        await store.FindBySessionAsync(appId, sessionId, cancellationToken).ConfigureAwait(false) is { } recording ? View(recording) : null;

    private static string PathTo(Recording recording, string file) =>
        DownloadPath.Replace("{recording_id}", recording.Id, StringComparison.Ordinal).Replace("{file}", file, StringComparison.Ordinal);
}
