using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>
/// Livestream sessions. A session's start and end change its livestream's status in the same transaction, with the
/// webhook events they cause, so the two are never seen apart.
/// </summary>
public interface ILivestreamSessionStore
{
    /// <summary>Starts a session and marks its livestream live, with the webhook events that causes, in one transaction.</summary>
    Task StartSessionAsync(LivestreamSession session, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken);

    /// <summary>A meeting livestream's session waiting for media (invoked_time set, started_time not), and its livestream INVOKED.</summary>
    Task InvokeSessionAsync(LivestreamSession session, CancellationToken cancellationToken);

    /// <summary>Webhook events that change nothing stored (a rendition's state), written to the outbox.</summary>
    Task AppendEventsAsync(IReadOnlyCollection<OutboxEvent> events, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Livestream sessions of a meeting session, newest first.</summary>
    Task<Page<LivestreamSession>> ListSessionsOfMeetingSessionAsync(string appId, string meetingSessionId, Paging paging, CancellationToken cancellationToken);

    Task<IReadOnlyList<LivestreamSession>> ListSessionsOfLivestreamsAsync(IReadOnlyCollection<string> livestreamIds, CancellationToken cancellationToken);

    /// <summary>Sessions invoked and never started nor stopped, except those of the nodes named (alive, so theirs are not stale).</summary>
    Task<IReadOnlyList<LivestreamSession>> ListInvokedSessionsAsync(IReadOnlyCollection<string> excludeNodes, CancellationToken cancellationToken);

    Task UpdateSessionProgressAsync(IReadOnlyCollection<LivestreamSessionProgress> progress, CancellationToken cancellationToken);

    /// <summary>Ends a session with its final figures and sets its livestream's status, with the webhook events that causes, in one transaction.</summary>
    /// <remarks>
    /// Fenced: the node running the session ends it only while it owns the livestream under its epoch (a node that
    /// lost its lease cannot write); <paramref name="recovery"/> ends what a dead node left open, at its last figures.
    /// The livestream's status and the events follow only when no other session of it is open. False when nothing
    /// was written.
    /// </remarks>
    Task<bool> EndSessionAsync(LivestreamSession session, LivestreamStatus livestreamStatus, IReadOnlyCollection<OutboxEvent> events, bool recovery, CancellationToken cancellationToken);

    Task<LivestreamSession?> FindSessionAsync(string appId, string sessionId, CancellationToken cancellationToken);

    /// <summary>Sessions of a livestream, newest first.</summary>
    Task<Page<LivestreamSession>> ListSessionsAsync(string livestreamId, Paging paging, CancellationToken cancellationToken);

    /// <summary>Sessions that started and never stopped (their node stopped while they were live), except those of the nodes named.</summary>
    Task<IReadOnlyList<LivestreamSession>> ListOpenSessionsAsync(IReadOnlyCollection<string> excludeNodes, CancellationToken cancellationToken);
}
