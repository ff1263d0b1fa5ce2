using Stagecast.Streaming.Logging;

namespace Stagecast.Streaming.Tests;

/// <summary>Text from the network on its way into a log line, which a terminal shows as it comes.</summary>
public sealed class LogTextTests
{
    [Theory]
    [InlineData("live", "live")]
    [InlineData("Café ☕ 直播", "Café ☕ 直播")] // letters and symbols of any script stay as they are
    [InlineData("\u001b]0;owned\u0007\u001b[2J", @"\x1B]0;owned\x07\x1B[2J")] // a window title and a cleared screen
    [InlineData("key\r\nfake: line", @"key\x0D\x0Afake: line")]
    [InlineData("\u009b31m\u007f", @"\x9B31m\x7F")] // the 8-bit CSI, DEL
    [InlineData("abc\u202Edcba\u200B", @"abc\u202Edcba\u200B")] // a right-to-left override, a zero-width space
    [InlineData("para\u2029graph", @"para\u2029graph")]
    public void ControlAndFormatCharactersAreEscaped(string text, string logged) => Assert.Equal(logged, LogText.Escape(text));

    [Fact]
    public void UntrustedTextIsCutThenEscaped()
    {
        Assert.Equal("", LogText.Untrusted(null));
        Assert.Equal("abcd…", LogText.Untrusted("abcdef", 4));
        Assert.Equal(@"\x1B[31…", LogText.Untrusted("\u001b[31mred", 4));
        Assert.Equal(@"\x1B[2J…(12 chars)", StreamKeys.Redact("\u001b[2Jabcdefgh")); // a key's first four characters too
    }
}
