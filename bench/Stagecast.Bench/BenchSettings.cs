namespace Stagecast.Bench;

/// <summary>
/// How long and how much: the full run, or a quick smoke run. <c>ServerWarmup</c> runs a load on each freshly
/// started server before anything is measured (Stagecast's JIT compiles its hot paths in the first seconds).
/// </summary>
public sealed record BenchSettings(TimeSpan ServerWarmup, TimeSpan Warmup, TimeSpan Window, TimeSpan RampWindow, int[] LoadCounts, int[] RampSteps, int EdgeStreams, int HttpClients, TimeSpan HttpDuration)
{
    public static BenchSettings Full { get; } = new(
        TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(10), [1, 10, 100],
        [50, 100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000, 2500, 3000, 3500, 4000, 5000], 10, 64, TimeSpan.FromSeconds(10));

    public static BenchSettings Quick { get; } = new(
        TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(3), [1, 5], [10, 20], 3, 8, TimeSpan.FromSeconds(2));
}
