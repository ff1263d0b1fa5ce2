using Stagecast.Recording;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// A recording of each source participants publish while it runs, one file per track: those publishing when it
/// starts, and each that starts later (<see cref="Follow"/>, as the router tells of it); it cannot pause.
/// </summary>
public sealed class TrackRecording(Recording record, string directory, StreamHub hub, TimeProvider time, ILogger logger) : RunningRecording(record)
{
    private readonly Lock _sync = new();
    private readonly List<TrackRecorder> _tracks = [];
    private bool _finished;

    public override double Seconds => Record.StartedTime is { } began ? (time.GetUtcNow() - began).TotalSeconds : 0;

    /// <summary>
    /// Records each of <paramref name="sources"/> of meeting <paramref name="meetingId"/> whose stream is not recorded
    /// yet: a new source, or one published again (its files numbered after the first's).
    /// </summary>
    public void Follow(string meetingId, IEnumerable<(RoomPeer Peer, MediaSource Source)> sources)
    {
        lock (_sync)
        {
            if (_finished)
            {
                return;
            }

            foreach (var (peer, source) in sources)
            {
                if (hub.Find(new MeetingStreamKey(meetingId, peer.Id, source).HubId) is { State: not HubStreamState.Ended } stream
                    && !_tracks.Exists(t => ReferenceEquals(t.Stream, stream)))
                {
                    string name = source == MediaSource.Camera ? "camera" : "screenshare";
                    int earlier = _tracks.Count(t => t.PeerId == peer.Id && t.Source == name);
                    _tracks.Add(new TrackRecorder(stream, peer.Id, name, directory, time, logger, earlier));
                }
            }
        }
    }

    public override void Pause(bool pause) => throw ApiException.Conflict("a track recording cannot be paused; stop it");

    /// <summary>UPLOADED with the tracks that carried media; ERRORED when none did.</summary>
    public override async Task<Recording> FinishAsync(string reason)
    {
        var recorded = new List<RecordedTrack>();
        foreach (var track in Stop())
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
        foreach (var track in Stop())
        {
            await track.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Takes no new source from now on; the recorders to finish or let go.</summary>
    private List<TrackRecorder> Stop()
    {
        lock (_sync)
        {
            _finished = true;
            return [.. _tracks];
        }
    }
}
