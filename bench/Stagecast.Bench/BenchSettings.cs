namespace Stagecast.Bench;

/// <summary>
/// How long and how much: the full run, or a quick smoke run. <c>ServerWarmup</c> runs a load on each freshly
/// started server before anything is measured (Stagecast's JIT compiles its hot paths in the first seconds);
/// <c>IdleWindow</c> measures each server before that, <c>IdleSettle</c> after its start; <c>Rounds</c> is how many turns
/// each server takes at each load.
/// </summary>
public sealed record BenchSettings(TimeSpan ServerWarmup, TimeSpan Warmup, TimeSpan Window, TimeSpan RampWindow, int[] LoadCounts, int[] RampSteps, int EdgeStreams, int HttpClients, TimeSpan HttpDuration,
    TimeSpan IdleWindow, int Rounds, TimeSpan IdleSettle)
{
    /// <summary>
    /// A steady load's window below 50 streams (<see cref="LoadWindow"/>). This machine's CPU readings wander by a
    /// roughly fixed number of CPU milliseconds per window, whatever the load, so a window of a few streams needs to be
    /// longer for the same error per stream: at 10 publishers of 720p, 15 s windows read Stagecast's JIT build at 0.18 to
    /// 0.31 s per stream-minute in one run (2026-12-02 05:56), 60 and 90 s windows 0.12 to 0.17 in three (2026-12-02).
    /// </summary>
    public TimeSpan FewStreamsWindow { get; init; } = Window;

    /// <summary>The window a steady load of <paramref name="streams"/> is measured over.</summary>
    public TimeSpan LoadWindow(int streams) => streams < 50 ? FewStreamsWindow : Window;

    /// <summary>
    /// The full run. Idle is measured a minute after the start: the JIT build finishes start-up in its first minute
    /// (tier-1 compiles of start-up's methods, the thread pool retiring start-up's workers): 0.27 % of a core over seconds
    /// 10-70, then 0.08, 0.07 and 0.05 % over the next three minutes (2026-11-30). At rest is what idle means.
    /// </summary>
    public static BenchSettings Full { get; } = new(
        TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(10), [1, 10, 50],
        [50, 100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000, 2500, 3000, 3500, 4000, 5000], 10, 64, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), 3,
        TimeSpan.FromSeconds(70))
    {
        FewStreamsWindow = TimeSpan.FromSeconds(60),
    };

    public static BenchSettings Quick { get; } = new(
        TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(3), [1, 5], [10, 20], 3, 8, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), 1,
        TimeSpan.FromSeconds(10));
}
