namespace Stagecast.Srt.Tests;

public class SrtStreamIdTests
{
    [Theory]
    [InlineData("#!::r=live/KEY,m=publish", SrtMode.Publish, "KEY")]
    [InlineData("#!::m=publish,r=live/KEY", SrtMode.Publish, "KEY")]
    [InlineData("#!::r=/live/KEY,m=publish,u=encoder", SrtMode.Publish, "KEY")]
    [InlineData("#!::r=KEY,m=publish", SrtMode.Publish, "KEY")]
    [InlineData("KEY", SrtMode.Publish, "KEY")]
    [InlineData("live/KEY", SrtMode.Publish, "KEY")]
    [InlineData("#!::r=live/ID,m=request", SrtMode.Request, "ID")]
    [InlineData("#!::r=live/ID", SrtMode.Request, "ID")] // SRT's convention: request when m is absent
    public void ReadsTheConventionsEncodersUse(string streamId, SrtMode mode, string name)
    {
        Assert.True(SrtStreamId.TryParse(streamId, "live", out var id, out string problem), problem);
        Assert.Equal(new SrtStreamId(mode, name), id);
    }

    [Theory]
    [InlineData(null, "no streamid")]
    [InlineData("", "no streamid")]
    [InlineData("#!::m=publish", "names no stream key")]
    [InlineData("#!::r=live/,m=publish", "names no stream key")]
    [InlineData("#!::r=other/app/KEY,m=publish", "names no stream key")]
    [InlineData("#!::r=live/KEY,m=bidirectional", "m=bidirectional is not supported")]
    public void RefusesWhatNamesNothing(string? streamId, string problem)
    {
        Assert.False(SrtStreamId.TryParse(streamId, "live", out _, out string reason));
        Assert.Contains(problem, reason);
    }

    [Fact]
    public void RefusesAStreamIdLongerThanSrtCarries() =>
        Assert.False(SrtStreamId.TryParse("#!::r=live/" + new string('k', 600), "live", out _, out _));
}
