namespace Stagecast.Server.Hosting.Metrics;

/// <summary>A lock-free histogram of durations in seconds with fixed buckets (Prometheus "le" semantics).</summary>
public sealed class LatencyHistogram(params double[] bucketsSeconds)
{
    private readonly double[] _bounds = bucketsSeconds;
    private readonly long[] _counts = new long[bucketsSeconds.Length + 1];
    private long _sumMicroseconds;

    public IReadOnlyList<double> Bounds => _bounds;

    public void Record(double seconds)
    {
        int bucket = 0;
        while (bucket < _bounds.Length && seconds > _bounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _counts[bucket]);
        Interlocked.Add(ref _sumMicroseconds, (long)(seconds * 1e6));
    }

    /// <summary>Cumulative counts per bound (the last is +Inf), and the sum in seconds.</summary>
    public (long[] Cumulative, double SumSeconds) Snapshot()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            running += Interlocked.Read(ref _counts[i]);
            cumulative[i] = running;
        }

        return (cumulative, Interlocked.Read(ref _sumMicroseconds) / 1e6);
    }
}
