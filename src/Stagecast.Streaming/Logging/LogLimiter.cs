namespace Stagecast.Streaming.Logging;

/// <summary>
/// Keeps a flood of the same kind of line (refused connections, refused publishes) from filling the log: at most
/// <c>linesPerMinute</c> lines a minute pass; the rest are counted, and the next line that passes says how many
/// were left out.
/// </summary>
public sealed class LogLimiter(TimeProvider time, int linesPerMinute = 20)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private readonly Lock _sync = new();
    private long _windowStart = long.MinValue;
    private int _logged;
    private long _suppressed;

    /// <summary>True when this line may be written; <paramref name="suppressed"/> is how many were left out before it.</summary>
    public bool TryLog(out long suppressed)
    {
        long now = time.GetTimestamp();
        lock (_sync)
        {
            if (_windowStart == long.MinValue || time.GetElapsedTime(_windowStart, now) >= Window)
            {
                _windowStart = now;
                _logged = 0;
            }

            if (_logged < linesPerMinute)
            {
                _logged++;
                suppressed = _suppressed;
                _suppressed = 0;
                return true;
            }

            _suppressed++;
            suppressed = 0;
            return false;
        }
    }
}
