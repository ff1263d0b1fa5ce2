namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>
/// Sessions opened before their media (a meeting livestream invoked and waiting): when the stream starts, it
/// continues that session instead of opening a new one. Provided by meeting livestreams.
/// </summary>
public interface IPendingLivestreamSessions
{
    /// <summary>The waiting session of a livestream, handed over once; null when none waits.</summary>
    string? TakePendingSession(string livestreamId);
}
