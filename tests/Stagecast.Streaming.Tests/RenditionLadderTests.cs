using Stagecast.Streaming.Renditions;

namespace Stagecast.Streaming.Tests;

public sealed class RenditionLadderTests
{
    [Fact]
    public void ALadderStartsWithTheSourceAndRunsDownWhateverTheOrderAskedIn()
    {
        Assert.True(RenditionLadder.TryParse(["180p", "720p", "source", "360p"], out var ladder, out string? error), error);
        Assert.Equal(["source", "720p", "360p", "180p"], RenditionLadder.Names(ladder).ToArray());
    }

    [Fact]
    public void TheSourceIsAddedWhenLeftOut()
    {
        Assert.True(RenditionLadder.TryParse(["480p"], out var ladder, out _));
        Assert.Equal(["source", "480p"], RenditionLadder.Names(ladder).ToArray());
        Assert.True(RenditionLadder.TryParse([], out var empty, out _));
        Assert.Equal(["source"], RenditionLadder.Names(empty).ToArray());
    }

    [Theory]
    [InlineData("4k", "'4k' is not a rendition")]
    [InlineData("360P", "'360P' is not a rendition")]
    public void AnUnknownNameIsRefusedByName(string name, string expected)
    {
        Assert.False(RenditionLadder.TryParse(["source", name], out _, out string? error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Contains("180p", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ANullNameIsRefusedNotThrown()
    {
        Assert.False(RenditionLadder.TryParse(["source", null], out _, out string? error));
        Assert.StartsWith("null is not a rendition", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ANameGivenTwiceIsRefused()
    {
        Assert.False(RenditionLadder.TryParse(["360p", "source", "360p"], out _, out string? error));
        Assert.Equal("'360p' is listed twice.", error);
    }

    [Fact]
    public void AnEncodeKeepsTheSourcesAspectWithAnEvenWidthAndIsNeverUpscaled()
    {
        var p360 = RenditionLadder.Find("360p")!;
        Assert.Equal(640, p360.WidthFor(1920, 1080));
        Assert.Equal(480, p360.WidthFor(640, 480));
        Assert.Equal(202, p360.WidthFor(360, 640)); // portrait: 202.5 rounds to an even 202
        Assert.True(p360.AppliesTo(360));
        Assert.False(RenditionLadder.Find("720p")!.AppliesTo(360));
        Assert.True(Rendition.Source.AppliesTo(180));
    }
}
