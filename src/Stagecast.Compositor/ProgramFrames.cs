namespace Stagecast.Compositor;

/// <summary>What the program dropped over a report interval, and the rate it ran at over the last second.</summary>
public readonly record struct DroppedFramesReport(long Late, long EncoderBehind, double FramesPerSecond, TimeSpan Over);

/// <summary>
/// The program's frame slots (one every 1/frame rate) as its clock passes them: each is produced (a picture went
/// to the encoder) or dropped, either <em>late</em> (the tick came after the slot had passed: the program, or the
/// machine, was short of CPU) or because the <em>encoder was behind</em> (its queue was full). Counted here for the
/// livestream's status, in <see cref="CompositorMetrics"/> for /metrics, and reported for the log at most once per
/// <see cref="ReportInterval"/>, when something was dropped. Written by the program's clock only; read from anywhere.
/// </summary>
public sealed class ProgramFrames(TimeProvider time)
{
    public static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(1);
    private long _produced;
    private long _late;
    private long _encoderBehind;
    private double _framesPerSecond;
    private bool _counting;
    private long _rateStart;
    private long _rateProduced;
    private long _reportStart;
    private long _reportLate;
    private long _reportEncoderBehind;

    public long Produced => Interlocked.Read(ref _produced);

    public long Late => Interlocked.Read(ref _late);

    public long EncoderBehind => Interlocked.Read(ref _encoderBehind);

    public long Dropped => Late + EncoderBehind;

    /// <summary>Frames produced over the last second (0 until a second has passed).</summary>
    public double FramesPerSecond => Volatile.Read(ref _framesPerSecond);

    /// <summary>
    /// A tick took a slot, after <paramref name="late"/> slots passed without one; <paramref name="produced"/> says
    /// whether the encoder took its picture. Returns a report when one is due.
    /// </summary>
    public DroppedFramesReport? Count(long late, bool produced)
    {
        if (produced)
        {
            Interlocked.Increment(ref _produced);
            CompositorMetrics.Frames.Add(1);
        }
        else
        {
            Interlocked.Increment(ref _encoderBehind);
            CompositorMetrics.DroppedFrames.Add(1, CompositorMetrics.EncoderBehind);
        }

        if (late > 0)
        {
            Interlocked.Add(ref _late, late);
            CompositorMetrics.DroppedFrames.Add(late, CompositorMetrics.Late);
        }

        long now = time.GetTimestamp();
        if (!_counting)
        {
            _counting = true;
            _rateStart = _reportStart = now; // the first slot: the windows open
            _rateProduced = Produced;
            return null;
        }

        var sinceRate = time.GetElapsedTime(_rateStart, now);
        if (sinceRate >= RateWindow)
        {
            long total = Produced;
            Volatile.Write(ref _framesPerSecond, (total - _rateProduced) / sinceRate.TotalSeconds);
            _rateProduced = total;
            _rateStart = now;
        }

        var sinceReport = time.GetElapsedTime(_reportStart, now);
        if (sinceReport < ReportInterval)
        {
            return null;
        }

        var report = new DroppedFramesReport(Late - _reportLate, EncoderBehind - _reportEncoderBehind, FramesPerSecond, sinceReport);
        _reportLate = Late;
        _reportEncoderBehind = EncoderBehind;
        _reportStart = now;
        return report.Late + report.EncoderBehind > 0 ? report : null;
    }
}
