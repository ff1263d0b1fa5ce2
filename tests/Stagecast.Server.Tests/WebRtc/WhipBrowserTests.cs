using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>Headless Chromium publishes its fake camera and microphone over WHIP; the stream plays over LL-HLS as H.264 and AAC.</summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class WhipBrowserTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ChromiumPublishesOverWhipAndTheStreamPlaysOverHls()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        var record = (await tenant.GetLivestreamAsync(livestream.Id)).GetProperty("livestream");
        string whipUrl = record.GetProperty("whip_url").GetString()!;
        Assert.Equal($"{server.HttpBase}/{livestream.Id}/whip", whipUrl);
        Assert.Equal($"{server.HttpBase}/{livestream.Id}/whep", record.GetProperty("whep_url").GetString());

        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await browser.OpenAsync("webrtc.html");
        var answer = await page.EvaluateAsync<JsonElement>("([url, key]) => whipPublish(url, key)", new[] { whipUrl, livestream.StreamKey });
        Assert.Equal(201, answer.GetProperty("status").GetInt32());
        Assert.StartsWith($"{server.HttpBase}/{livestream.Id}/whip/", answer.GetProperty("location").GetString());
        Assert.Contains("a=ice-lite", answer.GetProperty("answer").GetString());

        await WaitForConnectedAsync(page);
        await tenant.WaitForStatusAsync(livestream.Id, "LIVE", TimeSpan.FromSeconds(20));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl, TimeSpan.FromSeconds(30));

        var streams = await Ffmpeg.ProbeAsync(livestream.PlaybackUrl);
        Assert.Contains(streams, s => s.Codec == "h264" && s.Width == 320 && s.Height == 180);
        Assert.Contains(streams, s => s.Codec == "aac" && s.SampleRate == 48000);
        var (exitCode, _, errors) = await Ffmpeg.DecodeAsync(livestream.PlaybackUrl, 4);
        Assert.True(exitCode == 0 && errors.Length == 0, $"ffmpeg decoding the WHIP stream over HLS: exit {exitCode}: {errors}");

        var sessions = await tenant.GetAsync($"/livestreams/{livestream.Id}/active-livestream-session");
        Assert.Equal(System.Net.HttpStatusCode.OK, sessions.Status);

        // DELETE on the resource ends the session and the stream at once (no reconnect window: the publisher said so).
        await page.EvaluateAsync("() => end()");
        await tenant.WaitForStatusAsync(livestream.Id, "IDLE", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task ClosingThePeerConnectionEndsTheSessionAtOnce()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await browser.OpenAsync("webrtc.html");
        await page.EvaluateAsync("([url, key]) => whipPublish(url, key)", new[] { $"{server.HttpBase}/{livestream.Id}/whip", livestream.StreamKey });
        await WaitForConnectedAsync(page);
        await tenant.WaitForStatusAsync(livestream.Id, "LIVE", TimeSpan.FromSeconds(20));

        // RTCPeerConnection.close() sends DTLS close_notify: the publisher is gone long before consent would tell.
        var hub = server.App.Services.GetRequiredService<Stagecast.Streaming.StreamHub>();
        await page.EvaluateAsync("() => closeOnly()");
        await Eventually.TrueAsync(() => hub.Find(livestream.Id)?.Publisher is null, "the publisher to go (consent alone would take 30 s)", TimeSpan.FromSeconds(15));
    }

    internal static async Task WaitForConnectedAsync(IPage page)
    {
        string state = await Eventually.MatchAsync(() => page.EvaluateAsync<string>("() => connectionState()"), state => state is "connected" or "failed" or "closed",
            "the peer connection to connect");
        Assert.Equal("connected", state);
    }
}
