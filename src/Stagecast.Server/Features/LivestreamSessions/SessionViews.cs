using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>
/// Stored sessions with the live figures of the one in progress here, or the end of one not yet written: the
/// database is up to a flush interval (or a queue) behind the media plane, the API should not be.
/// </summary>
public sealed class SessionViews(SessionRecorder recorder, SessionWriter writer, LiveViewers viewers, TimeProvider time)
{
    /// <summary>A session as the API shows it: its live figures and, while it is in progress, its live viewers.</summary>
    public LivestreamSessionDto Show(LivestreamSession session)
    {
        bool active = recorder.FindActive(session.LivestreamId)?.SessionId == session.Id;
        return LivestreamSessionDto.From(Current(session), active ? viewers.Count(session.LivestreamId) : 0);
    }

    public LivestreamSession Current(LivestreamSession stored)
    {
        if (writer.UnwrittenEnd(stored.LivestreamId) is { } ended && ended.SessionId == stored.Id)
        {
            return stored with
            {
                StoppedTime = ended.StoppedTime, ErrMessage = ended.ErrMessage, IngestSeconds = ended.IngestSeconds, ViewerSeconds = ended.ViewerSeconds,
                UpdatedAt = ended.StoppedTime,
            };
        }

        if (recorder.FindActive(stored.LivestreamId) is not { } active || active.SessionId != stored.Id)
        {
            return stored;
        }

        var (ingest, viewer) = recorder.Figures(active);
        return stored with { IngestSeconds = ingest, ViewerSeconds = viewer, UpdatedAt = time.GetUtcNow() };
    }

    /// <summary>The session in progress for a livestream, from the store or, if not yet written, from memory.</summary>
    public LivestreamSession? Active(string appId, string livestreamId, LivestreamSession? latestStored)
    {
        if (recorder.FindActive(livestreamId) is not { } active)
        {
            return null;
        }

        if (latestStored?.Id == active.SessionId)
        {
            return Current(latestStored);
        }

        var (ingest, viewer) = recorder.Figures(active);
        var now = time.GetUtcNow();
        return new LivestreamSession(active.SessionId, livestreamId, appId, null, null, active.StartedTime, null, ingest, viewer, active.StartedTime, now);
    }
}
