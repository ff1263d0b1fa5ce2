using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Srt.Tests;

public class SrtReconnectTests
{
    [Fact]
    public async Task TheStreamWaitsForAnSrtPublisherThatComesBack()
    {
        await using var srt = await SrtServerHarness.StartAsync(hubOptions: new StreamHubOptions { ReconnectWindow = TimeSpan.FromSeconds(20) });
        srt.Keys.Add("key-again", "stream-again");
        var stream = await PublishUntilMediaAsync(srt);

        // ffmpeg killed: no SRT shutdown reaches the server, which finds the connection gone.
        await Eventually.TrueAsync(() => stream.State == HubStreamState.Reconnecting, "the stream waiting for its publisher");

        await using var again = Ffmpeg.PublishSrt(srt.PublishUrl("key-again"), Ffmpeg.AudioVideo(60, "320x180"));
        var before = stream.IngestedDuration;
        await Eventually.TrueAsync(() => stream.State == HubStreamState.Live && stream.IngestedDuration >= before + TimeSpan.FromSeconds(1), "the stream continuing");
        Assert.Same(stream, srt.Hub.Find("stream-again"));
        Assert.Equal(2, stream.PublisherCount);
    }

    [Fact]
    public async Task AnEncoderThatClosesEndsTheStreamAtOnce()
    {
        await using var srt = await SrtServerHarness.StartAsync(hubOptions: new StreamHubOptions { ReconnectWindow = TimeSpan.FromMinutes(5) });
        srt.Keys.Add("key-done", "stream-done");
        await using var ffmpeg = Ffmpeg.PublishSrt(srt.PublishUrl("key-done"), Ffmpeg.AudioVideo(3, "320x180"));
        var stream = await srt.LiveStreamAsync("stream-done");

        Assert.Equal(0, await ffmpeg.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await Eventually.TrueAsync(() => stream.State == HubStreamState.Ended, "the stream to end", TimeSpan.FromSeconds(30));
        Assert.Equal(StreamEndKind.Unpublished, stream.EndKind);
    }

    private static async Task<HubStream> PublishUntilMediaAsync(SrtServerHarness srt)
    {
        await using var first = Ffmpeg.PublishSrt(srt.PublishUrl("key-again"), Ffmpeg.AudioVideo(60, "320x180"));
        return await srt.LiveStreamAsync("stream-again", s => s.IngestedDuration >= TimeSpan.FromSeconds(1));
    }
}
