using Stagecast.Recording;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Recordings;

/// <summary>A recording of each source a participant published when it started, one file per track; it cannot pause.</summary>
public sealed class TrackRecording(Recording record, TimeProvider time) : RunningRecording(record)
{
    /// <summary>One recorder per source: its video and audio tracks.</summary>
    public List<TrackRecorder> Tracks { get; } = [];

    public override double Seconds => Record.StartedTime is { } began ? (time.GetUtcNow() - began).TotalSeconds : 0;

    public override void Pause(bool pause) => throw ApiException.Conflict("a track recording cannot be paused; stop it");

    /// <summary>UPLOADED with the tracks that carried media; ERRORED when none did.</summary>
    public override async Task<Recording> FinishAsync(string reason)
    {
        var recorded = new List<RecordedTrack>();
        foreach (var track in Tracks)
        {
            recorded.AddRange(await track.FinishAsync().ConfigureAwait(false));
        }

        var ended = time.GetUtcNow();
        return Record with
        {
            Status = recorded.Count > 0 ? RecordingStatus.Uploaded : RecordingStatus.Errored,
            StoppedTime = ended,
            StopReason = reason,
            Tracks = recorded,
            FileSize = recorded.Sum(t => t.FileSize ?? 0),
            Duration = Math.Round((ended - Record.StartedTime!.Value).TotalSeconds, 3),
            Error = recorded.Count > 0 ? null : "no track carried media",
        };
    }

    public override async ValueTask DisposeAsync()
    {
        foreach (var track in Tracks)
        {
            await track.DisposeAsync().ConfigureAwait(false);
        }
    }
}
