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

        // Play for a while, then look at what the player saw.
        var state = await Eventually.MatchAsync(() => page.EvaluateAsync<JsonElement>("() => state()"), s => s.GetProperty("currentTime").GetDouble() > 8,
            "hls.js to play 8 s");

        string report = state.ToString();
        Console.WriteLine($"hls.js state: {report}");
        Assert.True(state.GetProperty("supported").GetBoolean(), report);
        Assert.True(state.GetProperty("currentTime").GetDouble() > 8, $"playback did not advance: {report}");
        Assert.Equal((640, 360), (state.GetProperty("width").GetInt32(), state.GetProperty("height").GetInt32()));
        Assert.DoesNotContain(state.GetProperty("errors").EnumerateArray(), e => e.GetProperty("fatal").GetBoolean());
        Assert.True(state.GetProperty("parts").GetInt32() > 10, $"hls.js did not load partial segments: {report}");
        // In media time, not the test's clock: LL-HLS holds back about a second (PART-HOLD-BACK), a player of plain HLS three
        // target durations (6 s); the wall-clock delay behind the encoder is measured in bench/.
        Assert.InRange(state.GetProperty("latency").GetDouble(), 0.3, 4.0);
    }
}
