using Stagecast.Testing;

namespace Stagecast.Srt.Tests;

/// <summary>
/// What a hostile tester tried on the SRT port: terminal escape sequences in a stream id, which must not reach the log
/// raw.
/// </summary>
public class SrtHostileCallerTests
{
    [Fact]
    public async Task EscapeSequencesInAStreamIdAreLoggedEscaped()
    {
        await using var srt = await SrtServerHarness.StartAsync();
        using var caller = new SrtCaller("#!::r=live/x,m=\u001b]0;owned\u0007\u001b[2J\u001b[31mred");
        Assert.Equal(1400, caller.Connect(srt.Port));

        Assert.Contains(srt.Logs.Lines, l => l.Message.Contains(@"mode m=\x1B]0;owned\x07\x1B[2J\x1B[31mred is not supported", StringComparison.Ordinal));
        Assert.DoesNotContain(srt.Logs.Lines, l => l.Message.Any(char.IsControl));
    }
}
