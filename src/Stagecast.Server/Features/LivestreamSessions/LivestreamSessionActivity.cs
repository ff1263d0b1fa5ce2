using Stagecast.Server.Features.Livestreams;

namespace Stagecast.Server.Features.LivestreamSessions;

/// <summary>A livestream with a broadcast in progress here is LIVE; one whose session end is not written yet is what the end says.</summary>
public sealed class LivestreamSessionActivity(SessionRecorder recorder, SessionWriter writer) : ILivestreamActivity
{
    public LivestreamActivity? Of(string livestreamId) =>
        recorder.FindActive(livestreamId) is not null ? new LivestreamActivity(LivestreamStatus.Live)
        : writer.UnwrittenEnd(livestreamId) is { } ended ? new LivestreamActivity(ended.Status, ended.StoppedTime)
        : null;
}
