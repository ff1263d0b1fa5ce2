namespace Stagecast.Server.Features.Sessions;

/// <summary>
/// Meeting sessions left open when the server last stopped without ending them (kill -9, power loss) end at the
/// time they were last seen, as do their peers: participant minutes stop where the last flush left them.
/// </summary>
public sealed partial class MeetingSessionRecovery(ISessionStore store, ILogger<MeetingSessionRecovery> logger)
{
    public const string Reason = "the server stopped while this session was live";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var session in await store.ListOpenSessionsAsync(cancellationToken).ConfigureAwait(false))
        {
            await store.EndAtLastSeenAsync(session.Id, Reason, cancellationToken).ConfigureAwait(false);
            Log.Recovered(logger, session.Id, session.MeetingId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Meeting session {SessionId} of meeting {MeetingId} was left open by an unclean stop; ended it when it was last seen")]
        public static partial void Recovered(ILogger logger, string sessionId, string meetingId);
    }
}
