using System.Text.Json;
using Microsoft.Playwright;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>WHEP viewers of a WHIP publisher get its RTP as it came: Chromium's H.264, and Firefox's VP8 untranscoded.</summary>
public sealed class WhepForwardingTests(FirefoxServerFixture server) : IClassFixture<FirefoxServerFixture>
{
    [Fact]
    public async Task ChromiumWatchesAChromiumWhipPublisherOverWhep()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var publisher = await browser.OpenAsync("webrtc.html");
        await publisher.EvaluateAsync("([url, key]) => whipPublish(url, key)", new[] { $"{server.HttpBase}/{livestream.Id}/whip", livestream.StreamKey });
        await WhipBrowserTests.WaitForConnectedAsync(publisher);

        var viewer = await browser.OpenAsync("webrtc.html");
        await WatchAsync(viewer, livestream.Id, "video/H264");
    }

    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task ChromiumWatchesFirefoxsVp8AsItCame()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        string whip = Uri.EscapeDataString($"{server.HttpBase}/{livestream.Id}/whip");
        await using var firefox = await Firefox.OpenAsync($"whip={whip}&key={livestream.StreamKey}");
        string published = await firefox.WaitForReportAsync("\"published\"", TimeSpan.FromSeconds(60));
        Assert.Contains("\"state\":\"connected\"", published);
        await tenant.WaitForStatusAsync(livestream.Id, "LIVE", TimeSpan.FromSeconds(20));

        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var viewer = await browser.OpenAsync("webrtc.html");
        await WatchAsync(viewer, livestream.Id, "video/VP8");
    }

    private async Task WatchAsync(IPage viewer, string livestreamId, string videoCodec)
    {
        // The stream is live once the publisher's first media arrived; until then WHEP answers 404.
        var answer = await Eventually.MatchAsync<JsonElement?>(async () =>
        {
            try
            {
                return (JsonElement?)await viewer.EvaluateAsync<JsonElement>("url => whepPlay(url)", $"{server.HttpBase}/{livestreamId}/whep");
            }
            catch (PlaywrightException)
            {
                return null;
            }
        }, a => a is not null, "WHEP to answer");

        Assert.Contains(videoCodec.Replace("video/", "", StringComparison.Ordinal) + "/90000", answer!.Value.GetProperty("answer").GetString());
        await WhipBrowserTests.WaitForConnectedAsync(viewer);
        long previous = 0;
        JsonElement stats = default;
        for (int i = 0; i < 3; i++)
        {
            // Video keeps being decoded: three times over, more frames than the last look saw.
            stats = await Eventually.MatchAsync(() => viewer.EvaluateAsync<JsonElement>("() => rtpStats()"),
                st => st.GetProperty("framesDecoded").GetInt64() > previous + 10, "more decoded frames");
            previous = stats.GetProperty("framesDecoded").GetInt64();
        }

        long audio = stats.GetProperty("audioBytesReceived").GetInt64();
        Assert.True(audio > 0, $"no audio: {stats}");
        Assert.Contains(stats.GetProperty("codecs").EnumerateArray(), c => c.GetString() == videoCodec);
        Assert.Contains(stats.GetProperty("codecs").EnumerateArray(), c => c.GetString() == "audio/opus");
    }
}
