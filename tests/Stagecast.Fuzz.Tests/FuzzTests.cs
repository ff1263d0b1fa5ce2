using System.Globalization;
using Xunit.Abstractions;

namespace Stagecast.Fuzz;

/// <summary>
/// Each parser on 2,000 inputs in CI (a smoke: the long run finds what there is to find), however long they take: a
/// second's worth, as it was, was 345 inputs on a loaded machine, and speed is bench/'s to measure. For the long run,
/// set STAGECAST_FUZZ_INPUTS (e.g. 10000000): each target then runs that many inputs (bench/README.md has the figures).
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void ParserRefusesMutatedInputCleanly(string name)
    {
        var target = FuzzTargets.All.Single(t => t.Name == name);
        if (!long.TryParse(Environment.GetEnvironmentVariable("STAGECAST_FUZZ_INPUTS"), NumberStyles.None, CultureInfo.InvariantCulture, out long inputs))
        {
            inputs = SmokeInputs;
        }

        var result = Fuzzer.Run(target, TimeSpan.MaxValue, inputs);
        output.WriteLine(result.ToString());
        Console.WriteLine($"fuzz {result}");
        Assert.True(result.Crashes.Count == 0, $"{result}\n{string.Join("\n\n", result.Crashes)}");
        Assert.True(result.Hangs.Count == 0, $"{result}\nhangs: {string.Join("\n", result.Hangs)}");
        Assert.True(result.Inputs == inputs, result.ToString());
    }

    private const long SmokeInputs = 2000;
}
