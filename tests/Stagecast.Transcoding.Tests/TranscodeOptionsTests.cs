namespace Stagecast.Transcoding.Tests;

public class TranscodeOptionsTests
{
    [Theory]
    [InlineData("none", true)]
    [InlineData("auto", true)]
    [InlineData("vaapi", true)]
    [InlineData("cuda", false)]
    [InlineData("autox", false)]
    [InlineData("", false)]
    public void HwAccelIsOneOfTheKnownValues(string hwAccel, bool valid)
    {
        var result = new TranscodeOptionsValidator().Validate(null, new TranscodeOptions { HwAccel = hwAccel });
        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("--transcode-hwaccel must be none, auto, nvenc, vaapi or qsv", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ALagLimitUnderHalfASecondIsRefused() =>
        Assert.False(new TranscodeOptionsValidator().Validate(null, new TranscodeOptions { LagLimit = TimeSpan.FromMilliseconds(100) }).Succeeded);
}
