using Stagecast.Server.Features.Livestreams;

namespace Stagecast.Server.Features.Rooms;

/// <summary>Where a meeting's livestream is, as a room shows it (RealtimeKit's <c>LivestreamState</c>).</summary>
public enum LivestreamStage
{
    /// <summary>Not started, or stopped.</summary>
    Idle,

    /// <summary>Started; the meeting's program is about to feed it.</summary>
    Starting,

    /// <summary>Started with manual ingest: waiting for the host's RTMP push.</summary>
    WaitingOnManualIngestion,

    /// <summary>Media flows: viewers can watch.</summary>
    Livestreaming,
}

public static class LivestreamStages
{
    public static LivestreamStage Of(LivestreamView livestream) => livestream.Status switch
    {
        LivestreamStatus.Live => LivestreamStage.Livestreaming,
        LivestreamStatus.Invoked => livestream.Record.ManualIngest ? LivestreamStage.WaitingOnManualIngestion : LivestreamStage.Starting,
        _ => LivestreamStage.Idle,
    };
}
