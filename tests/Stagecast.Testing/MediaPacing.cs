using System.Diagnostics;

namespace Stagecast.Testing;

/// <summary>Sends media at the rate it plays, as an encoder does (ffmpeg's -re): the one place a test's sender waits for the clock.</summary>
public static class MediaPacing
{
    /// <summary>Waits until <paramref name="clock"/> has reached media time <paramref name="timestampMs"/>.</summary>
    public static async Task WaitForAsync(Stopwatch clock, long timestampMs, CancellationToken cancellationToken = default)
    {
        var wait = TimeSpan.FromMilliseconds(timestampMs) - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            // Media time is the point: a frame goes out when its timestamp comes due, not sooner.
            await Task.Delay(wait, cancellationToken);
        }
    }
}
