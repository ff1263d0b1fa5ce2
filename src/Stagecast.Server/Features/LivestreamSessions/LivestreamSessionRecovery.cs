using Stagecast.Server.Features.Cluster;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>
/// Sessions that were live when the server last stopped without ending them (kill -9, power loss) end at their
/// last written figures, marked ERRORED so the gap is visible. Meeting livestreams that were active end too (their
/// meeting sessions ended with the server): sessions still waiting for media end without having started. In a
/// cluster this runs at start for what this node and dead nodes left open, and again whenever a node dies
/// (<see cref="IDeadNodeRecovery"/>); a live node's sessions are never touched.
/// </summary>
public sealed partial class LivestreamSessionRecovery(
    ILivestreamStore livestreams, ILivestreamSessionStore store, LivestreamWebhookEvents webhooks, NodeIdentity node, TimeProvider time, ILogger<LivestreamSessionRecovery> logger)
    : IStartupTask, IDeadNodeRecovery
{
    public const string Message = "the server stopped while this session was live";
    public const string InvokedMessage = "the server stopped while this livestream waited for media";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await RecoverAsync(await node.OtherLiveNodesAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        if (!node.IsClustered)
        {
            // On one machine no meeting livestream outlives a restart; in a cluster the meeting's node may be alive.
            foreach (var livestream in await livestreams.ListActiveMeetingLivestreamsAsync(cancellationToken).ConfigureAwait(false))
            {
                await livestreams.SetStatusAsync(livestream.Id, LivestreamStatus.Idle, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Ends the open sessions of every node but the live ones named.</summary>
    public async Task RecoverAsync(IReadOnlyCollection<string> liveNodes, CancellationToken cancellationToken)
    {
        foreach (var session in await store.ListOpenSessionsAsync(liveNodes, cancellationToken).ConfigureAwait(false))
        {
            var ended = session with { StoppedTime = session.UpdatedAt, ErrMessage = Message, UpdatedAt = time.GetUtcNow() };
            await store.EndSessionAsync(ended, LivestreamStatus.Errored, await StatusEventAsync(session, "OFFLINE", cancellationToken).ConfigureAwait(false), recovery: true, cancellationToken)
                .ConfigureAwait(false);
            Log.Recovered(logger, session.Id, session.LivestreamId);
        }

        foreach (var session in await store.ListInvokedSessionsAsync(liveNodes, cancellationToken).ConfigureAwait(false))
        {
            var ended = session with { StoppedTime = session.UpdatedAt, ErrMessage = InvokedMessage, UpdatedAt = time.GetUtcNow() };
            await store.EndSessionAsync(ended, LivestreamStatus.Idle, await StatusEventAsync(session, "IDLE", cancellationToken).ConfigureAwait(false), recovery: true, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyCollection<OutboxEvent>> StatusEventAsync(LivestreamSession session, string status, CancellationToken cancellationToken) =>
        await livestreams.FindLivestreamAsync(session.LivestreamId, cancellationToken).ConfigureAwait(false) is { } livestream
            ? [webhooks.Status(livestream, status)]
            : [];

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Session {SessionId} of livestream {LivestreamId} was left open by an unclean stop; ended it at its last figures")]
        public static partial void Recovered(ILogger logger, string sessionId, string livestreamId);
    }
}
