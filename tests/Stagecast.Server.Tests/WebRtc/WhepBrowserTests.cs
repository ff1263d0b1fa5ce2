using System.Net;
using System.Text;
using System.Text.Json;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>Headless Chromium watches an RTMP-published stream over WHEP; streams WebRTC cannot carry are refused with the reason.</summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class WhepBrowserTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ChromiumPlaysAnRtmpStreamOverWhepWithVideoAndAudio()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60, "320x180"));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);

        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await browser.OpenAsync("webrtc.html");
        var answer = await page.EvaluateAsync<JsonElement>("url => whepPlay(url)", $"{server.HttpBase}/{livestream.Id}/whep");
        Assert.Equal(201, answer.GetProperty("status").GetInt32());
        string sdp = answer.GetProperty("answer").GetString()!;
        Assert.Contains("a=sendonly", sdp);
        Assert.Contains("H264/90000", sdp);
        Assert.Contains("opus/48000/2", sdp);
        await WhipBrowserTests.WaitForConnectedAsync(page);

        // Frames decoded and audio received keep growing: four looks, each sees more than the last, 300 frames in all.
        var first = await StatsAsync(page);
        var previous = first;
        for (int i = 1; i <= 4; i++)
        {
            var seen = previous;
            int goal = i * 75;
            previous = await Eventually.MatchAsync(() => StatsAsync(page), now => now.FramesDecoded - first.FramesDecoded >= goal && now.AudioBytes > seen.AudioBytes,
                $"{goal} frames decoded and more audio");
        }

        Assert.Contains("video/H264", previous.Codecs);
        Assert.Contains("audio/opus", previous.Codecs);
        Console.WriteLine($"WHEP stats: {previous}");
        await page.EvaluateAsync("() => end()");
    }

    [Fact]
    public async Task AStreamWithBFramesIsRefusedWithTheReason()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.WithBFrames(30));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);

        var response = await PostOfferAsync(livestream.Id, SampleOffer);
        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.Contains("B-frames", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OffersForStreamsThatAreNotLiveOrMalformedAreRefused()
    {
        var livestream = await server.NewLivestreamAsync();
        var notLive = await PostOfferAsync(livestream.Id, SampleOffer);
        Assert.Equal(HttpStatusCode.NotFound, notLive.StatusCode);

        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(30, "320x180"));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        var garbage = await PostOfferAsync(livestream.Id, "hello");
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.Contains("v=0", await garbage.Content.ReadAsStringAsync());

        var noFingerprint = await PostOfferAsync(livestream.Id, SampleOffer.Replace("a=fingerprint", "a=x-fingerprint", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, noFingerprint.StatusCode);
        Assert.Contains("fingerprint", await noFingerprint.Content.ReadAsStringAsync());

        using var wrongType = new HttpRequestMessage(HttpMethod.Post, $"{server.HttpBase}/{livestream.Id}/whep") { Content = new StringContent(SampleOffer, Encoding.UTF8, "text/plain") };
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await server.Http.SendAsync(wrongType)).StatusCode);

        var ok = await PostOfferAsync(livestream.Id, SampleOffer);
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal("application/sdp", ok.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(ok.Headers.ETag);
        string location = ok.Headers.Location!.ToString();
        Assert.StartsWith($"/{livestream.Id}/whep/", location);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.DeleteAsync(server.HttpBase + location)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.DeleteAsync(server.HttpBase + location)).StatusCode);
    }

    private Task<HttpResponseMessage> PostOfferAsync(string livestreamId, string sdp) =>
        server.Http.PostAsync($"{server.HttpBase}/{livestreamId}/whep", new StringContent(sdp, Encoding.UTF8, "application/sdp"));

    /// <summary>A recvonly offer as a browser writes it (trimmed to what matters).</summary>
    internal const string SampleOffer =
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n" +
        "m=video 9 UDP/TLS/RTP/SAVPF 102 106\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n" +
        "a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\r\n" +
        "a=setup:actpass\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n" +
        "a=rtpmap:102 H264/90000\r\na=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n" +
        "a=rtpmap:106 H264/90000\r\na=fmtp:106 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\na=recvonly\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";

    private static async Task<Stats> StatsAsync(Microsoft.Playwright.IPage page)
    {
        var json = await page.EvaluateAsync<JsonElement>("() => rtpStats()");
        return new Stats(json.GetProperty("framesDecoded").GetInt64(), json.GetProperty("audioBytesReceived").GetInt64(),
            string.Join(',', json.GetProperty("codecs").EnumerateArray().Select(c => c.GetString())));
    }

    private sealed record Stats(long FramesDecoded, long AudioBytes, string Codecs);
}
