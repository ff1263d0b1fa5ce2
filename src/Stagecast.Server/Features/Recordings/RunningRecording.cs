namespace Stagecast.Server.Features.Recordings;

/// <summary>
/// A recording this node is making, of whichever kind: its record as it is now, the gate its changes pass one at a
/// time, and what writes it. <see cref="RecordingService"/> holds them and stops them the same way.
/// </summary>
public abstract class RunningRecording(Recording record) : IAsyncDisposable
{
    public Recording Record { get; set; } = record;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The timer that stops it at <c>max_seconds</c>, if any.</summary>
    public ITimer? Limit { get; set; }

    /// <summary>Seconds recorded so far, as the API shows a running recording.</summary>
    public abstract double Seconds { get; }

    /// <summary>Stops writing and finishes what was written: the record as it ends (<c>UPLOADED</c>, <c>UPLOADING</c> or <c>ERRORED</c>).</summary>
    public abstract Task<Recording> FinishAsync(string reason);

    /// <summary>Pauses or resumes writing; a kind that cannot pause refuses (409).</summary>
    public abstract void Pause(bool pause);

    /// <summary>Lets its writers go (files closed, ffmpeg children killed if still running) and what it held; safe to call again.</summary>
    public abstract ValueTask DisposeAsync();
}
