using Stagecast.Server.Features.Recordings;

namespace Stagecast.Server.Features.Realtime;

/// <summary>
/// A meeting's recording as the channel shows it to the participants: its id, its state (<c>RECORDING</c>,
/// <c>PAUSED</c>, and <c>STOPPED</c> once it no longer records: uploading, uploaded or errored) and when it started.
/// </summary>
public sealed record RecordingChannelView(string Id, string State, DateTimeOffset? StartedAt)
{
    /// <summary>The view of a recording; null for one not yet recording (invoked), which nobody is told of.</summary>
    public static RecordingChannelView? Of(Recordings.Recording recording) => recording.Status switch
    {
        RecordingStatus.Recording => new(recording.Id, "RECORDING", recording.StartedTime),
        RecordingStatus.Paused => new(recording.Id, "PAUSED", recording.StartedTime),
        RecordingStatus.Invoked => null,
        _ => new(recording.Id, "STOPPED", recording.StartedTime),
    };
}
