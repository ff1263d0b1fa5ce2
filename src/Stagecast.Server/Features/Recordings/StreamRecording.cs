using Stagecast.Recording;
using Stagecast.Streaming;

namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// A recording of one hub stream into one MP4 (a meeting's program, or a livestream session): <c>INVOKED</c> until its
/// first keyframe is written, then <c>RECORDING</c>; <c>ERRORED</c> (and stopped) if writing fails. A program recording
/// holds the meeting's program stream until disposed (<see cref="ReleaseWhenDisposed"/>).
/// </summary>
public sealed class StreamRecording(Recording record, RecordingService recordings, TimeProvider time)
    : RunningRecording(record)
{
    private readonly Lock _sync = new();
    private StreamRecorder? _recorder;
    private Func<Task>? _release;

    /// <summary>Gives back what it holds (the meeting's program stream) when it is disposed, once.</summary>
    public void ReleaseWhenDisposed(Func<Task> release) => _release = release;

    public override double Seconds => _recorder?.Seconds ?? 0;

    /// <summary>
    /// Starts writing <paramref name="stream"/> from where <paramref name="reader"/> (added earlier) begins, or from its
    /// newest keyframe; once only, and not after the recording stopped (the reader is then let go).
    /// </summary>
    public void Start(HubStream stream, HubStreamReader? reader = null)
    {
        StreamRecorder recorder;
        lock (_sync)
        {
            if (_recorder is not null || !recordings.IsRunning(Record.Id))
            {
                reader?.Dispose();
                return;
            }

            recorder = new StreamRecorder(stream, recordings.FileOf(Record) + ".part", recordings.CaptionsOf(Record), reader, time);
            _recorder = recorder;
        }

        recorder.Start();
        _ = FollowAsync(recorder);
    }

    public override void Pause(bool pause)
    {
        if (pause)
        {
            _recorder?.Pause();
        }
        else
        {
            _recorder?.Resume();
        }
    }

    /// <summary>UPLOADED (or UPLOADING, when it goes to a storage) once the file is finished; ERRORED when it could not be.</summary>
    public override async Task<Recording> FinishAsync(string reason)
    {
        var recorder = _recorder;
        string file = recordings.FileOf(Record);
        // A writer that failed (a full disk) makes the recording ERRORED even if what it wrote could be finished.
        bool finished = recorder is not null && await recorder.FinishAsync(file).ConfigureAwait(false) && recorder.Error is null;
        var now = time.GetUtcNow();
        return finished
            ? Record with
            {
                Status = Record.SealedStorage is null ? RecordingStatus.Uploaded : RecordingStatus.Uploading,
                StoppedTime = now,
                StopReason = reason,
                FileSize = new FileInfo(file).Length,
                Duration = Math.Round(recorder!.Seconds, 3),
                CaptionsFileSize = RecordingService.SizeOf(recorder.CaptionsPath),
            }
            : Record with
            {
                Status = RecordingStatus.Errored,
                StoppedTime = now,
                StopReason = reason,
                Error = recorder?.Error ?? "the meeting's program never started",
            };
    }

    public override async ValueTask DisposeAsync()
    {
        StreamRecorder? recorder;
        lock (_sync)
        {
            recorder = _recorder;
        }

        if (recorder is not null)
        {
            await recorder.DisposeAsync().ConfigureAwait(false);
        }

        if (Interlocked.Exchange(ref _release, null) is { } release)
        {
            await release().ConfigureAwait(false);
        }
    }

    /// <summary>RECORDING at the first keyframe written; ERRORED (and stopped) if writing fails.</summary>
    private async Task FollowAsync(StreamRecorder recorder)
    {
        var first = await Task.WhenAny(recorder.Started.Task, recorder.Completion).ConfigureAwait(false);
        if (first == recorder.Started.Task)
        {
            await Gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (recordings.IsRunning(Record.Id) && Record.Status == RecordingStatus.Invoked)
                {
                    Record = Record with { Status = RecordingStatus.Recording, StartedTime = time.GetUtcNow() };
                    await recordings.SaveAsync(Record, create: false).ConfigureAwait(false);
                }
            }
            finally
            {
                Gate.Release();
            }

            await recorder.Completion.ConfigureAwait(false);
        }

        if (recorder.Error is not null && recordings.IsRunning(Record.Id))
        {
            await recordings.StopAsync(Record.Id, "ERROR").ConfigureAwait(false);
        }
    }
}
