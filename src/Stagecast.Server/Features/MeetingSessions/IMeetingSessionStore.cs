using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// Meeting sessions as stored: their peers, chat and polls. A room reads and writes chat and polls through the narrower
/// <see cref="IChatMessageStore"/> and <see cref="IPollStore"/>, so its components are tested with a store of a few lines.
/// </summary>
public interface IMeetingSessionStore : IChatMessageStore, IPollStore
{
    // The writes below take the webhook events their change causes and commit both together.

    Task StartSessionAsync(MeetingSession session, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken);

    /// <summary>Ends a session and every peer still in it, in one transaction.</summary>
    Task EndSessionAsync(
        string sessionId, DateTimeOffset endedAt, string reason, long maxConcurrentParticipants, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken);

    Task AddPeerAsync(MeetingSessionPeer peer, long maxConcurrentParticipants, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken);

    Task EndPeerAsync(string peerId, DateTimeOffset leftAt, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken);

    /// <summary>Marks a live session and its present peers as seen now: what a crash keeps of their time.</summary>
    Task TouchAsync(IReadOnlyCollection<(string SessionId, long MaxConcurrentParticipants)> sessions, DateTimeOffset now, CancellationToken cancellationToken);

    Task<MeetingSession?> FindSessionAsync(string appId, string sessionId, DateTimeOffset now, CancellationToken cancellationToken);

    Task<MeetingSession?> FindLiveSessionAsync(string meetingId, DateTimeOffset now, CancellationToken cancellationToken);

    Task<Page<MeetingSession>> ListSessionsAsync(string appId, MeetingSessionFilter filter, Paging paging, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Sessions never ended (their node stopped while they were live), except those of the nodes named.</summary>
    Task<IReadOnlyList<MeetingSession>> ListOpenSessionsAsync(IReadOnlyCollection<string> excludeNodes, CancellationToken cancellationToken);

    /// <summary>Ends a session and its peers left open by an unclean stop at the time they were last seen.</summary>
    Task EndAtLastSeenAsync(string sessionId, string reason, IReadOnlyCollection<OutboxEvent> events, DateTimeOffset now, CancellationToken cancellationToken);

    Task<bool> HasChatAsync(string sessionId, CancellationToken cancellationToken);

    Task<Page<MeetingSessionPeer>> ListPeersAsync(string sessionId, Paging paging, CancellationToken cancellationToken);

    /// <summary>A peer (one join of a participant) of any session of the app, by its peer id; null when there is none.</summary>
    Task<MeetingSessionPeer?> FindPeerAsync(string appId, string peerId, CancellationToken cancellationToken);

    /// <summary>Deletes chat written before <paramref name="cutoff"/>; returns how many messages.</summary>
    Task<int> DeleteChatBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
