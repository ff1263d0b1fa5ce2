using System.Diagnostics;

namespace Stagecast.Fuzz;

/// <summary>One parser under test: seeds, what to run on an input, and which exceptions are a clean refusal.</summary>
public sealed record FuzzTarget(string Name, IReadOnlyList<byte[]> Seeds, Action<byte[]> Run, params Type[] Refusals)
{
    public override string ToString() => Name;
}

/// <summary>What a run found: inputs tried, crashes (unexpected exceptions), slow inputs, and the process's peak memory.</summary>
public sealed record FuzzResult(string Target, long Inputs, TimeSpan Elapsed, IReadOnlyList<string> Crashes, IReadOnlyList<string> SlowInputs, long PeakWorkingSetBytes)
{
    public override string ToString() =>
        $"{Target}: {Inputs:N0} inputs in {Elapsed.TotalSeconds:0.0} s ({Inputs / Math.Max(Elapsed.TotalSeconds, 0.001):N0}/s), " +
        $"{Crashes.Count} crashes, {SlowInputs.Count} slow (>100 ms on every run), peak working set {PeakWorkingSetBytes / (1024 * 1024)} MiB";
}

public static class Fuzzer
{
    /// <summary>An input taking longer than this every time it runs is reported (a parser should take microseconds).</summary>
    public static readonly TimeSpan SlowInput = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How often an input that took too long runs again: it is slow only if it is slow every time. On a loaded machine
    /// any input can be preempted for 100 ms (3 to 10 of 17 targets "failed" so, with no slow input among them); an
    /// input that makes a parser loop or go quadratic is slow on every run.
    /// </summary>
    private const int SlowReruns = 3;

    /// <summary>Runs mutated inputs until <paramref name="budget"/> passes or <paramref name="maxInputs"/> were tried.</summary>
    public static FuzzResult Run(FuzzTarget target, TimeSpan budget, long maxInputs, int randomSeed = 1)
    {
        var mutator = new Mutator(target.Seeds, randomSeed);
        var crashes = new List<string>();
        var slow = new List<string>();
        var total = Stopwatch.StartNew();
        long inputs = 0;
        long peak = Environment.WorkingSet;

        // The seeds themselves must parse: they are what real peers send.
        foreach (var seed in target.Seeds)
        {
            target.Run(seed);
        }

        while (inputs < maxInputs && total.Elapsed < budget)
        {
            byte[] input = mutator.Next();
            long started = Stopwatch.GetTimestamp();
            if (Run(target, input) is { } crash && crashes.Count < 20)
            {
                crashes.Add(crash);
            }

            if (Stopwatch.GetElapsedTime(started) > SlowInput && slow.Count < 20 && SlowEveryTime(target, input))
            {
                slow.Add(Convert.ToHexString(input));
            }

            if (++inputs % 100_000 == 0)
            {
                peak = Math.Max(peak, Environment.WorkingSet);
            }
        }

        return new FuzzResult(target.Name, inputs, total.Elapsed, crashes, slow, Math.Max(peak, Environment.WorkingSet));
    }

    /// <summary>Runs one input; a crash's description, or null for a parse or a clean refusal.</summary>
    private static string? Run(FuzzTarget target, byte[] input)
    {
        try
        {
            target.Run(input);
            return null;
        }
        catch (Exception ex) when (target.Refusals.Any(r => r.IsInstanceOfType(ex)))
        {
            return null; // a clean refusal
        }
        catch (Exception ex)
        {
            return $"{ex.GetType().Name}: {ex.Message} on {Convert.ToHexString(input)}\n{ex.StackTrace}";
        }
    }

    /// <summary>Whether an input that was slow takes longer than <see cref="SlowInput"/> on every rerun too.</summary>
    private static bool SlowEveryTime(FuzzTarget target, byte[] input)
    {
        for (int run = 0; run < SlowReruns; run++)
        {
            long started = Stopwatch.GetTimestamp();
            Run(target, input);
            if (Stopwatch.GetElapsedTime(started) <= SlowInput)
            {
                return false;
            }
        }

        return true;
    }
}
