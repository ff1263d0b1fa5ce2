using Stagecast.Server.Features.Livestreams;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>
/// Stored sessions as the API shows them. Which sessions exist and which is open is what the database says (where a
/// session and its livestream's status change together); the node running an open session adds what only it knows
/// and writes periodically: its figures so far and its live viewers.
/// </summary>
public sealed class LivestreamSessionViews(LivestreamSessionAccounting recorder, LiveViewers viewers, TimeProvider time)
{
    /// <summary>A stored session with its live figures and, while it is in progress here, its live viewers.</summary>
    public LivestreamSessionDto Show(LivestreamSession stored)
    {
        if (stored.StoppedTime is not null || recorder.FindActive(stored.LivestreamId) is not { } active || active.SessionId != stored.Id)
        {
            return LivestreamSessionDto.From(stored, 0);
        }

        var (ingest, viewer) = recorder.Figures(active);
        var current = stored with { IngestSeconds = ingest, ViewerSeconds = viewer, UpdatedAt = time.GetUtcNow() };
        return LivestreamSessionDto.From(current, viewers.Count(stored.LivestreamId));
    }

    /// <summary>The broadcast in progress: the latest stored session when it has started and not stopped.</summary>
    public static LivestreamSession? Active(LivestreamSession? latestStored) =>
        latestStored is { StartedTime: not null, StoppedTime: null } ? latestStored : null;
}
