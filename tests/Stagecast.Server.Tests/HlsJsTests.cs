using System.Text.Json;
using Microsoft.Playwright;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>hls.js in low-latency mode, in headless Chromium, plays the playback URL near the live edge.</summary>
public sealed class HlsJsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task HlsJsPlaysInLowLatencyModeNearTheLiveEdge()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(40));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);

        await using var browser = await Browser.LaunchAsync();
        var page = await browser.OpenPlayerAsync();
        await page.EvaluateAsync("url => start(url)", livestream.PlaybackUrl);

        // Play 8 s of parts near the live edge, then look at what the player saw. Counted from the first frame shown:
        // the stream is older than that when the browser is up, and a browser slowed by the machine may fall behind
        // (the player then catches up or jumps back towards the edge, as the watch page's does).
        double? firstFrame = null;
        var state = await Eventually.MatchAsync(() => page.EvaluateAsync<JsonElement>("() => state()"), s =>
        {
            double currentTime = s.GetProperty("currentTime").GetDouble();
            if (currentTime > 0)
            {
                firstFrame ??= currentTime;
            }

            return currentTime - firstFrame >= 8 && s.GetProperty("parts").GetInt32() > 10 && s.GetProperty("latency").GetDouble() <= 4.0;
        }, "hls.js to play 8 s of parts near the live edge");

        string report = state.ToString();
        Console.WriteLine($"hls.js state: {report}");
        Assert.True(state.GetProperty("supported").GetBoolean(), report);
        Assert.Equal((640, 360), (state.GetProperty("width").GetInt32(), state.GetProperty("height").GetInt32()));
        Assert.DoesNotContain(state.GetProperty("errors").EnumerateArray(), e => e.GetProperty("fatal").GetBoolean());
        Assert.True(state.GetProperty("parts").GetInt32() > 10, $"hls.js did not load partial segments: {report}");
        // In media time, not the test's clock: LL-HLS holds back about a second (PART-HOLD-BACK), a player of plain HLS three
        // target durations (6 s); the wall-clock delay behind the encoder is measured in bench/.
        Assert.InRange(state.GetProperty("latency").GetDouble(), 0.3, 4.0);
    }
}
