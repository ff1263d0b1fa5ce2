using System.Globalization;
using Xunit.Abstractions;

namespace Stagecast.Fuzz;

/// <summary>
/// Each parser for a second in CI (a smoke: the long run finds what there is to find). For the long run, set STAGECAST_FUZZ_INPUTS (e.g. 10000000): each target
/// then runs that many inputs, however long it takes (bench/README.md has the figures).
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void ParserRefusesMutatedInputCleanly(string name)
    {
        var target = FuzzTargets.All.Single(t => t.Name == name);
        bool longRun = long.TryParse(Environment.GetEnvironmentVariable("STAGECAST_FUZZ_INPUTS"), NumberStyles.None, CultureInfo.InvariantCulture, out long inputs);
        var result = Fuzzer.Run(target, longRun ? TimeSpan.MaxValue : TimeSpan.FromSeconds(1), longRun ? inputs : long.MaxValue);
        output.WriteLine(result.ToString());
        Console.WriteLine($"fuzz {result}");
        Assert.True(result.Crashes.Count == 0, $"{result}\n{string.Join("\n\n", result.Crashes)}");
        Assert.True(result.Hangs.Count == 0, $"{result}\nhangs: {string.Join("\n", result.Hangs)}");
        Assert.True(result.Inputs > 1000, result.ToString());
    }
}
