using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.LivestreamSessions;

namespace Stagecast.Server.Features.MeetingLivestreams;

/// <summary>
/// The meeting livestreams that are active (INVOKED or LIVE) on this server, and for each the session waiting for
/// its media. The media plane reads it without the database: the recorder to continue the invoked session, the
/// publish authorizer to refuse keys of stopped meeting livestreams.
/// </summary>
public sealed class MeetingLivestreamRegistry : IPendingLivestreamSessions
{
    private readonly ConcurrentDictionary<string, ActiveMeetingLivestream> _byLivestream = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ActiveMeetingLivestream> _byMeeting = new(StringComparer.Ordinal);

    public ICollection<ActiveMeetingLivestream> All => _byLivestream.Values;

    /// <summary>Raised after a meeting livestream became active (what watches them runs only while there are some).</summary>
    public event Action? Added;

    public bool IsActive(string livestreamId) => _byLivestream.ContainsKey(livestreamId);

    public bool TryGet(string livestreamId, [NotNullWhen(true)] out ActiveMeetingLivestream? active) => _byLivestream.TryGetValue(livestreamId, out active);

    public ActiveMeetingLivestream? ForMeeting(string meetingId) => _byMeeting.GetValueOrDefault(meetingId);

    /// <summary>Registers a meeting's livestream; false when the meeting has an active one already.</summary>
    public bool TryAdd(ActiveMeetingLivestream active)
    {
        if (!_byMeeting.TryAdd(active.MeetingId, active))
        {
            return false;
        }

        _byLivestream[active.LivestreamId] = active;
        Added?.Invoke();
        return true;
    }

    public bool TryRemove(ActiveMeetingLivestream active)
    {
        _byLivestream.TryRemove(new KeyValuePair<string, ActiveMeetingLivestream>(active.LivestreamId, active));
        return _byMeeting.TryRemove(new KeyValuePair<string, ActiveMeetingLivestream>(active.MeetingId, active));
    }

    /// <summary>The invoked session media should continue, taken once (null for independent livestreams).</summary>
    public string? TakePendingSession(string livestreamId) =>
        _byLivestream.TryGetValue(livestreamId, out var active) ? active.TakePendingSession() : null;
}

/// <summary>An active meeting livestream, with its invoked session pending until media starts it.</summary>
public sealed class ActiveMeetingLivestream(Livestream record, string pendingSessionId)
{
    /// <summary>Set when waiting for media, taken (nulled) when media starts.</summary>
    private string? _pendingSessionId = pendingSessionId;

    public Livestream Record { get; } = record;

    public string LivestreamId => Record.Id;

    public string MeetingId => Record.MeetingId!;

    public string? MeetingSessionId => Record.MeetingSessionId;

    /// <summary>Set under the object's lock when stopped, so a broadcast ending at the same time does not re-invoke it.</summary>
    public bool Stopped { get; set; }

    /// <summary>The invoked session media should continue, taken once (null when there is none or it was taken).</summary>
    public string? TakePendingSession() => Interlocked.Exchange(ref _pendingSessionId, null);

    /// <summary>A session was invoked (under the object's lock) and waits for media.</summary>
    public void SetPendingSession(string sessionId) => _pendingSessionId = sessionId;
}
