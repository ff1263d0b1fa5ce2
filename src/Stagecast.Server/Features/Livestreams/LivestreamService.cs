using System.Collections.Immutable;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Features.Srt;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>Livestream operations behind the API; changes that affect a live broadcast reach the media plane.</summary>
public sealed class LivestreamService(
    ILivestreamStore store,
    StreamKeyProtector keys,
    PublicUrls urls,
    SrtUrls srt,
    StreamHub hub,
    LiveViewers viewers,
    IEnumerable<IRenditionStatus> renditions,
    TimeProvider time)
{
    /// <summary>A new livestream; without <paramref name="renditions"/> it follows its app's default.</summary>
    public async Task<LivestreamView> CreateAsync(
        App app, string? name, string? recordingMode, string ingestProtocol, ImmutableArray<Rendition>? renditions, bool requireTls, bool transcriptionEnabled,
        CancellationToken cancellationToken)
    {
        string key = Secrets.NewStreamKey();
        var now = time.GetUtcNow();
        var livestream = new Livestream(
            Guid.NewGuid().ToString(), app.Id, name, null, keys.Protect(key), keys.LookupHash(key), LivestreamStatus.Idle, false, false, now, now,
            RecordingMode: recordingMode ?? Livestream.RecordingOff, IngestProtocol: ingestProtocol, Renditions: renditions,
            RequireTls: requireTls, TranscriptionEnabled: transcriptionEnabled);
        await store.CreateLivestreamAsync(livestream, cancellationToken).ConfigureAwait(false);
        return View(livestream);
    }

    /// <summary>Changes the livestream's settings (its recording mode, its renditions, whether it requires TLS or asks for captions) from its next session on.</summary>
    public async Task<LivestreamView?> UpdateAsync(App app, string id, PatchLivestreamRequest request, CancellationToken cancellationToken)
    {
        if (await store.FindLivestreamAsync(app.Id, id, cancellationToken).ConfigureAwait(false) is not { } livestream)
        {
            return null;
        }

        var changed = request.ApplyTo(livestream) with { UpdatedAt = time.GetUtcNow() };
        await store.SetSettingsAsync(changed, cancellationToken).ConfigureAwait(false);
        return View(changed);
    }

    public async Task<LivestreamView?> FindAsync(App app, string id, CancellationToken cancellationToken) =>
        await store.FindLivestreamAsync(app.Id, id, cancellationToken).ConfigureAwait(false) is { } livestream ? View(livestream) : null;

    public async Task<Page<LivestreamView>> ListAsync(App app, LivestreamFilter filter, Paging paging, CancellationToken cancellationToken)
    {
        var page = await store.ListLivestreamsAsync(app.Id, filter, paging, cancellationToken).ConfigureAwait(false);
        return new Page<LivestreamView>(page.Items.Select(View).ToList(), page.TotalCount);
    }

    /// <summary>Issues a new key; the old one stops working and a publisher using it is disconnected.</summary>
    public async Task<LivestreamView?> ResetStreamKeyAsync(App app, string id, CancellationToken cancellationToken)
    {
        if (await store.FindLivestreamAsync(app.Id, id, cancellationToken).ConfigureAwait(false) is not { } livestream)
        {
            return null;
        }

        string key = Secrets.NewStreamKey();
        var now = time.GetUtcNow();
        byte[] sealedKey = keys.Protect(key);
        byte[] hash = keys.LookupHash(key);
        await store.UpdateStreamKeyAsync(id, sealedKey, hash, now, cancellationToken).ConfigureAwait(false);
        hub.Stop(id, "the stream key was reset");
        return View(livestream with { SealedStreamKey = sealedKey, StreamKeyHash = hash, UpdatedAt = now });
    }

    /// <summary>Disabling refuses publishers and stops a live broadcast; enabling lets publishers in again.</summary>
    public async Task<LivestreamView?> SetDisabledAsync(App app, string id, bool disabled, CancellationToken cancellationToken)
    {
        if (await store.FindLivestreamAsync(app.Id, id, cancellationToken).ConfigureAwait(false) is not { } livestream)
        {
            return null;
        }

        var now = time.GetUtcNow();
        await store.SetDisabledAsync(id, disabled, now, cancellationToken).ConfigureAwait(false);
        if (disabled)
        {
            hub.Stop(id, "the livestream was disabled");
        }

        return View(livestream with { Disabled = disabled, UpdatedAt = now });
    }

    public async Task<bool> DeleteAsync(App app, string id, CancellationToken cancellationToken)
    {
        if (await store.FindLivestreamAsync(app.Id, id, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }

        bool deleted = await store.DeleteLivestreamAsync(id, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        hub.Stop(id, "the livestream was deleted");
        return deleted;
    }

    /// <summary>
    /// The livestream as stored, with what only the media plane knows (viewers, what is coming in, the states of its
    /// encodes). Its status is the stored one: it changes in the same transaction as its sessions and webhook events
    /// (the session writer's), so every node and endpoint tells one story; a crash's leftovers are ended at start,
    /// before anything listens.
    /// </summary>
    public LivestreamView View(Livestream livestream)
    {
        string key = keys.Unprotect(livestream.SealedStreamKey);
        var stream = hub.Find(livestream.Id);
        return new(livestream, key, urls.IngestServerFor(livestream.IngestProtocol), srt.PublishUrl(key), urls.PlaybackUrl(livestream.Id), urls.ThumbnailUrl(livestream.Id), livestream.Status, urls.WhipUrl(livestream.Id),
            urls.WhepUrl(livestream.Id), urls.WatchUrl(livestream.Id), viewers.Count(livestream.Id), stream is null ? null : IngestDto.From(stream),
            stream is null ? null : [.. renditions.SelectMany(r => r.Of(livestream.Id)).Select(RenditionStatusDto.From)]);
    }
}
