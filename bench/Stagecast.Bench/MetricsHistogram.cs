using System.Globalization;

namespace Stagecast.Bench;

/// <summary>A Prometheus histogram read from /metrics, and quantiles of what it counted between two reads.</summary>
public static class MetricsHistogram
{
    /// <summary>The histogram's cumulative buckets (bound, count).</summary>
    public static async Task<(double Bound, long Count)[]> BucketsAsync(HttpClient http, string metricsUrl, string name)
    {
        string text = await http.GetStringAsync(metricsUrl);
        return [.. text.Split('\n').Where(l => l.StartsWith(name + "_bucket{le=\"", StringComparison.Ordinal)).Select(l =>
        {
            string le = l[(l.IndexOf('"', StringComparison.Ordinal) + 1)..l.LastIndexOf('"')];
            return (le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture), long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
        })];
    }

    /// <summary>How many observations the histogram counted (its +Inf bucket).</summary>
    public static long Total((double Bound, long Count)[] cumulative) => cumulative.Length == 0 ? 0 : cumulative[^1].Count;

    /// <summary>What was counted between two reads of the same histogram.</summary>
    public static (double Bound, long Count)[] Delta((double Bound, long Count)[] before, (double Bound, long Count)[] after) =>
        [.. after.Select((b, i) => (b.Bound, b.Count - (i < before.Length ? before[i].Count : 0)))];

    /// <summary>The quantile from cumulative buckets, interpolated linearly inside the bucket it falls in.</summary>
    public static double Quantile((double Bound, long Count)[] cumulative, double q)
    {
        long total = Total(cumulative);
        if (total == 0)
        {
            return double.NaN;
        }

        double target = q * total;
        double lower = 0;
        long below = 0;
        foreach (var (bound, count) in cumulative)
        {
            if (count >= target)
            {
                double upper = double.IsInfinity(bound) ? lower * 2 : bound;
                return lower + ((upper - lower) * (target - below) / Math.Max(1, count - below));
            }

            lower = bound;
            below = count;
        }

        return lower;
    }
}
