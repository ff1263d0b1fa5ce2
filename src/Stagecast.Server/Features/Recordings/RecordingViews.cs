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

        string? download = null, captions = null;
        DateTimeOffset? expiry = null;
        if (recording.Status == RecordingStatus.Uploaded && recording.StorageKey is { } key && recording.SealedStorage is { } sealedTarget)
        {
            expiry = time.GetUtcNow() + DownloadSigner.Lifetime;
            var target = storage.Unseal(sealedTarget);
            download = storage.SignedUrl(target, key, expiry.Value);
            captions = recording.CaptionsFileSize is null ? null : storage.SignedUrl(target, target.KeyOf(recording.CaptionsFileName), expiry.Value);
        }
        else if (recording.Status == RecordingStatus.Uploaded)
        {
            (download, expiry) = Signed(recording, recording.OutputFileName);
            captions = recording.CaptionsFileSize is null ? null : Signed(recording, recording.CaptionsFileName).Url;
        }

        var trackViews = recording.Status == RecordingStatus.Uploaded && recording.Tracks is { } recorded
            ? recorded.Select(t =>
            {
                return new RecordedTrackDto(t.PeerId, t.Source, t.Kind, t.Codec, t.FileName, t.FileSize, Signed(recording, t.FileName).Url);
            }).ToList()
            : null;
        return RecordingDto.From(recording, recording.Tracks is null ? download : null, recording.Tracks is null ? expiry : null) with
        {
            Tracks = trackViews,
            CaptionsDownloadUrl = captions,
        };
    }

    /// <summary>A livestream session's recording, as <c>GET /recordings/{id}</c> shows it, or null.</summary>
    public async Task<object?> ForSessionAsync(string appId, string sessionId, CancellationToken cancellationToken) =>
        await store.FindBySessionAsync(appId, sessionId, cancellationToken).ConfigureAwait(false) is { } recording ? View(recording) : null;

    /// <summary>A signed link to one of the recording's files here, and when it expires.</summary>
    private (string Url, DateTimeOffset Expires) Signed(Recording recording, string file)
    {
        string path = DownloadPath.Replace("{recording_id}", recording.Id, StringComparison.Ordinal).Replace("{file}", file, StringComparison.Ordinal);
        var (query, expires) = signer.Sign(path);
        return ($"{urls.HttpBase}{path}?{query}", expires);
    }
}
