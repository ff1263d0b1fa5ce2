using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting.Database;

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

    Task SetStatusAsync(string livestreamId, LivestreamStatus status, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    /// <summary>Livestreams of a meeting, newest first.</summary>
    Task<Page<Livestream>> ListMeetingLivestreamsAsync(string appId, string meetingId, Paging paging, CancellationToken cancellationToken);

    /// <summary>Meeting livestreams that were INVOKED or LIVE when the server last stopped.</summary>
    Task<IReadOnlyList<Livestream>> ListActiveMeetingLivestreamsAsync(CancellationToken cancellationToken);

    /// <summary>Soft delete: the livestream disappears from the API and its key stops working; its sessions stay for analytics.</summary>
    Task<bool> DeleteLivestreamAsync(string livestreamId, DateTimeOffset deletedAt, CancellationToken cancellationToken);

    /// <summary>Starts a session and marks its livestream live, with the webhook events that causes, in one transaction.</summary>
    Task StartSessionAsync(LivestreamSession session, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken);

    /// <summary>A meeting livestream's session waiting for media (invoked_time set, started_time not), and its livestream INVOKED.</summary>
    Task InvokeSessionAsync(LivestreamSession session, CancellationToken cancellationToken);

    /// <summary>Livestream sessions of a meeting session, newest first.</summary>
    Task<Page<LivestreamSession>> ListSessionsOfMeetingSessionAsync(string appId, string meetingSessionId, Paging paging, CancellationToken cancellationToken);

    Task<IReadOnlyList<LivestreamSession>> ListSessionsOfLivestreamsAsync(IReadOnlyCollection<string> livestreamIds, CancellationToken cancellationToken);

    /// <summary>Sessions invoked and never started nor stopped.</summary>
    Task<IReadOnlyList<LivestreamSession>> ListInvokedSessionsAsync(CancellationToken cancellationToken);

    Task UpdateSessionProgressAsync(IReadOnlyCollection<SessionProgress> progress, CancellationToken cancellationToken);

    /// <summary>Ends a session with its final figures and sets its livestream's status, with the webhook events that causes, in one transaction.</summary>
    Task EndSessionAsync(LivestreamSession session, LivestreamStatus livestreamStatus, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken);

    Task<LivestreamSession?> FindSessionAsync(string appId, string sessionId, CancellationToken cancellationToken);

    /// <summary>Sessions of a livestream, newest first.</summary>
    Task<Page<LivestreamSession>> ListSessionsAsync(string livestreamId, Paging paging, CancellationToken cancellationToken);

    /// <summary>Sessions that started and never stopped (the server stopped while they were live).</summary>
    Task<IReadOnlyList<LivestreamSession>> ListOpenSessionsAsync(CancellationToken cancellationToken);
}
