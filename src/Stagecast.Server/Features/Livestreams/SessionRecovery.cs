using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.Livestreams;

/// <summary>
/// Sessions that were live when the server last stopped without ending them (kill -9, power loss) end at their
/// last written figures, marked ERRORED so the gap is visible.
/// </summary>
public sealed partial class SessionRecovery(ILivestreamStore store, TimeProvider time, ILogger<SessionRecovery> logger)
{
    public const string Message = "the server stopped while this session was live";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var session in await store.ListOpenSessionsAsync(cancellationToken).ConfigureAwait(false))
        {
            var ended = session with { StoppedTime = session.UpdatedAt, ErrMessage = Message, UpdatedAt = time.GetUtcNow() };
            await store.EndSessionAsync(ended, LivestreamStatus.Errored, cancellationToken).ConfigureAwait(false);
            Log.Recovered(logger, session.Id, session.LivestreamId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Session {SessionId} of livestream {LivestreamId} was left open by an unclean stop; ended it at its last figures")]
        public static partial void Recovered(ILogger logger, string sessionId, string livestreamId);
    }
}
