using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>
/// Meeting sessions left open when the server last stopped without ending them (kill -9, power loss) end at the
/// time they were last seen, as do their peers: participant minutes stop where the last flush left them. Their
/// webhooks go out as a clean end's would (participants left, meeting ended, chat synced).
/// </summary>
public sealed partial class MeetingSessionRecovery(
    IMeetingSessionStore store, IMeetingStore meetings, MeetingWebhookEvents events, NodeIdentity node, TimeProvider time, ILogger<MeetingSessionRecovery> logger)
    : IStartupTask, IDeadNodeRecovery
{
    public const string Reason = "the server stopped while this session was live";

    public async Task RunAsync(CancellationToken cancellationToken) =>
        await RecoverAsync(await node.OtherLiveNodesAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Ends the open sessions of every node but the live ones named (in a cluster, also when a node dies).</summary>
    public async Task RecoverAsync(IReadOnlyCollection<string> liveNodes, CancellationToken cancellationToken)
    {
        foreach (var session in await store.ListOpenSessionsAsync(liveNodes, cancellationToken).ConfigureAwait(false))
        {
            var ended = session with { EndedAt = session.UpdatedAt > session.StartedAt ? session.UpdatedAt : session.StartedAt, EndReason = Reason };
            var outbox = new List<OutboxEvent>();
            if (await meetings.FindAsync(session.MeetingId, cancellationToken).ConfigureAwait(false) is { } meeting)
            {
                var peers = (await store.ListPeersAsync(session.Id, new Paging(1, int.MaxValue), cancellationToken).ConfigureAwait(false)).Items;
                outbox.AddRange(peers.Where(p => p.LeftAt is null).Select(p => events.ParticipantLeft(meeting, ended, p with { LeftAt = p.UpdatedAt })));
                outbox.Add(events.MeetingEnded(meeting, ended, Reason));
                if (await store.HasChatAsync(session.Id, cancellationToken).ConfigureAwait(false))
                {
                    outbox.Add(events.ChatSynced(meeting, ended));
                }
            }

            await store.EndAtLastSeenAsync(session.Id, Reason, outbox, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            Log.Recovered(logger, session.Id, session.MeetingId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Meeting session {SessionId} of meeting {MeetingId} was left open by an unclean stop; ended it when it was last seen")]
        public static partial void Recovered(ILogger logger, string sessionId, string meetingId);
    }
}
