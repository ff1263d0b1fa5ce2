using System.Diagnostics;

namespace Stagecast.Fuzz;

/// <summary>One parser under test: seeds, what to run on an input, and which exceptions are a clean refusal.</summary>
public sealed record FuzzTarget(string Name, IReadOnlyList<byte[]> Seeds, Action<byte[]> Run, params Type[] Refusals)
{
    public override string ToString() => Name;
}

/// <summary>What a run found: inputs tried, crashes (unexpected exceptions), hangs, and the process's peak memory.</summary>
public sealed record FuzzResult(string Target, long Inputs, TimeSpan Elapsed, IReadOnlyList<string> Crashes, IReadOnlyList<string> Hangs, long PeakWorkingSetBytes)
{
    public override string ToString() =>
        $"{Target}: {Inputs:N0} inputs in {Elapsed.TotalSeconds:0.0} s ({Inputs / Math.Max(Elapsed.TotalSeconds, 0.001):N0}/s), " +
        $"{Crashes.Count} crashes, {Hangs.Count} hangs, peak working set {PeakWorkingSetBytes / (1024 * 1024)} MiB";
}

public static class Fuzzer
{
    /// <summary>
    /// An input that takes longer than this is a hang. A parser takes microseconds on an input, and one that loops or
    /// blows up takes seconds; the bound is generous because a busy machine preempts a test for 100 ms and more (with a
    /// 100 ms bound, 3 to 10 of 17 targets "failed" so under load, with no slow input among them).
    /// </summary>
    public static readonly TimeSpan HangAfter = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Runs mutated inputs until <paramref name="budget"/> passes or <paramref name="maxInputs"/> were tried; an input
    /// over <paramref name="hangAfter"/> (<see cref="HangAfter"/> unless given) is reported as a hang.
    /// </summary>
    public static FuzzResult Run(FuzzTarget target, TimeSpan budget, long maxInputs, int randomSeed = 1, TimeSpan? hangAfter = null)
    {
        var mutator = new Mutator(target.Seeds, randomSeed);
        var crashes = new List<string>();
        var hangs = new List<string>();
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

            if (Stopwatch.GetElapsedTime(started) > (hangAfter ?? HangAfter) && hangs.Count < 20)
            {
                hangs.Add(Convert.ToHexString(input));
            }

            if (++inputs % 100_000 == 0)
            {
                peak = Math.Max(peak, Environment.WorkingSet);
            }
        }

        return new FuzzResult(target.Name, inputs, total.Elapsed, crashes, hangs, Math.Max(peak, Environment.WorkingSet));
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
}
