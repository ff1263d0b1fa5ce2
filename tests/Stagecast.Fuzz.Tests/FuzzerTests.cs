namespace Stagecast.Fuzz;

/// <summary>The fuzzer's own rule: an input is a hang only past a generous bound, so a busy machine's pauses are not.</summary>
public sealed class FuzzerTests
{
    [Fact]
    public void AnInputPastTheBoundIsAHangAndOneSlowedByABusyMachineIsNot()
    {
        int calls = 0;
        byte[]? stuck = null;
        var target = new FuzzTarget("test", [[1, 2, 3, 4]], input =>
        {
            int call = Interlocked.Increment(ref calls);
            if (call == 10)
            {
                stuck = input;
                Thread.Sleep(1200); // a parser stuck on this input
            }
            else if (call == 20)
            {
                Thread.Sleep(300); // the machine was busy: slower than a parser is, and no hang
            }
        });

        var result = Fuzzer.Run(target, TimeSpan.FromMinutes(1), maxInputs: 200, hangAfter: TimeSpan.FromSeconds(1));

        Assert.Empty(result.Crashes);
        Assert.Equal([Convert.ToHexString(stuck!)], result.Hangs);
    }
}
