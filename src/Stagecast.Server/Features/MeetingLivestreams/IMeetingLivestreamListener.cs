using Stagecast.Server.Features.Livestreams;

namespace Stagecast.Server.Features.MeetingLivestreams;

public enum MeetingLivestreamChange
{
    /// <summary>Started (or waiting again after a broadcast ended): waiting for media.</summary>
    Invoked,

    /// <summary>Media flows: LIVE.</summary>
    Started,

    /// <summary>A broadcast was lost (the publisher did not come back); the livestream waits for media again.</summary>
    Errored,

    /// <summary>Stopped: by the API, a participant, or the end of its meeting session.</summary>
    Stopped,
}

/// <summary>A change of a meeting's livestream, as the realtime channel tells the meeting.</summary>
public sealed record MeetingLivestreamEvent(string MeetingId, MeetingLivestreamChange Change, LivestreamView Livestream, string? Error = null);

/// <summary>Learns of meeting livestream changes. Called on media threads: must be quick and must not throw.</summary>
public interface IMeetingLivestreamListener
{
    void OnMeetingLivestreamChanged(MeetingLivestreamEvent change);
}
