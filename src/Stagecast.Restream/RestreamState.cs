namespace Stagecast.Restream;

/// <summary>What a destination's worker reports: its status, last error, times, counters, and when it tries again.</summary>
public sealed record RestreamState(
    RestreamStatus Status,
    string? LastError,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    long BytesSent,
    long DroppedFrames,
    int Attempts,
    DateTimeOffset? RetryAt = null)
{
    public static RestreamState Initial { get; } = new(RestreamStatus.Idle, null, null, null, 0, 0, 0);

    /// <summary>Seconds between start and end (or now, while running).</summary>
    public double DurationSeconds(DateTimeOffset now) => StartedAt is { } started ? ((EndedAt ?? now) - started).TotalSeconds : 0;
}
