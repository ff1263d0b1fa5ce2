namespace Stagecast.Fuzz;

/// <summary>The fuzzer's own rules: an input slow on every run is reported; one slow once (the machine was busy) is not.</summary>
public sealed class FuzzerTests
{
    [Fact]
    public void AnInputSlowEveryTimeIsReportedAndOneSlowOnceIsNot()
    {
        int calls = 0;
        byte[]? stuck = null;
        var target = new FuzzTarget("test", [[1, 2, 3, 4]], input =>
        {
            int call = Interlocked.Increment(ref calls);
            if (call == 10)
            {
                stuck = input; // from now on, a parser that takes 150 ms on this input, every time
            }

            if (call == 20 || (stuck is not null && input.AsSpan().SequenceEqual(stuck)))
            {
                Thread.Sleep(150); // the 20th call: the machine was busy, once
            }
        });

        var result = Fuzzer.Run(target, TimeSpan.FromMinutes(1), maxInputs: 200);

        Assert.Empty(result.Crashes);
        Assert.NotEmpty(result.SlowInputs);
        Assert.All(result.SlowInputs, hex => Assert.Equal(Convert.ToHexString(stuck!), hex));
    }
}
