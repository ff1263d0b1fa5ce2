using Stagecast.Media.MpegTs;
using Stagecast.Streaming.MpegTs;

namespace Stagecast.Transcoding;

/// <summary>
/// ffmpeg's output times back on the source's timeline: <see cref="TsEgress"/> sent each frame at
/// <c>ms * 90 + TimelineOffset</c> (90 kHz) and ffmpeg kept that time, modulo the 33 bits MPEG-TS has. A restarted
/// ffmpeg (a new demuxer) may begin past a wrap (after 26.5 hours), so the 33-bit time is placed nearest to the
/// source's newest frame, which the output is never a wrap away from.
/// </summary>
public static class SourceTimeline
{
    /// <summary>The millisecond on the source's timeline of a 90 kHz MPEG-TS time, near <paramref name="nearMs"/>.</summary>
    public static long Milliseconds(long ticks, long nearMs)
    {
        long near = (nearMs * 90) + TsEgress.TimelineOffset;
        return Math.Max(0, (TsTimestamp.Nearest(ticks, near) - TsEgress.TimelineOffset) / 90);
    }
}
