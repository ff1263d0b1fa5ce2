using Stagecast.Server.Features.Meetings;

namespace Stagecast.Server.Features.MeetingSessions;

/// <summary>Learns when a meeting's session starts and ends (a meeting livestream starts and stops with them).</summary>
public interface IMeetingSessionObserver
{
    Task OnSessionStartedAsync(Meeting meeting, string sessionId);

    Task OnSessionEndedAsync(Meeting meeting, string sessionId);
}
