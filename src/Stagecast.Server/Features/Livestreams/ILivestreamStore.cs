using System.Collections.Immutable;
using Stagecast.Server.Features.Apps;
using Stagecast.Server.Hosting.Database;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Livestreams;

public interface ILivestreamStore
{
    Task CreateLivestreamAsync(Livestream livestream, CancellationToken cancellationToken);

    /// <summary>A livestream of an app (not deleted).</summary>
    Task<Livestream?> FindLivestreamAsync(string appId, string livestreamId, CancellationToken cancellationToken);

    /// <summary>A livestream by id in any app (not deleted); for the media plane.</summary>
    Task<Livestream?> FindLivestreamAsync(string livestreamId, CancellationToken cancellationToken);

    Task<Livestream?> FindLivestreamByKeyHashAsync(byte[] keyHash, CancellationToken cancellationToken);

    Task<Page<Livestream>> ListLivestreamsAsync(string appId, LivestreamFilter filter, Paging paging, CancellationToken cancellationToken);

    Task UpdateStreamKeyAsync(string livestreamId, byte[] sealedKey, byte[] keyHash, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    Task SetDisabledAsync(string livestreamId, bool disabled, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    /// <summary>Writes a livestream's settings: its recording mode, its renditions and whether it requires TLS (and when they changed).</summary>
    Task SetSettingsAsync(Livestream livestream, CancellationToken cancellationToken);

    /// <summary>
    /// The ladder a livestream's next broadcast gets (<see cref="LadderSetting.Effective"/>) and its account; the source
    /// alone, of no one, for an id that is no livestream.
    /// </summary>
    Task<StreamLadder> FindLadderAsync(string livestreamId, CancellationToken cancellationToken);

    Task SetStatusAsync(string livestreamId, LivestreamStatus status, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    /// <summary>Livestreams of a meeting, newest first.</summary>
    Task<Page<Livestream>> ListMeetingLivestreamsAsync(string appId, string meetingId, Paging paging, CancellationToken cancellationToken);

    /// <summary>Meeting livestreams that were INVOKED or LIVE when the server last stopped.</summary>
    Task<IReadOnlyList<Livestream>> ListActiveMeetingLivestreamsAsync(CancellationToken cancellationToken);

    /// <summary>Soft delete: the livestream disappears from the API and its key stops working; its sessions stay for analytics.</summary>
    Task<bool> DeleteLivestreamAsync(string livestreamId, DateTimeOffset deletedAt, CancellationToken cancellationToken);
}
