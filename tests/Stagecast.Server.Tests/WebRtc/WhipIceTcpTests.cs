using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Testing;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>ICE over TCP (RFC 6544, RFC 4571 framing) for networks that block UDP: a server announcing only its TCP candidates still takes Chromium's WHIP publish.</summary>
public sealed class WhipIceTcpTests
{
    [Fact]
    public async Task ChromiumPublishesOverIceTcpWhenOnlyTcpCandidatesAreOffered()
    {
        var server = await ServerFixture.StartAsync(["--set", "Stagecast:WebRtc:UdpCandidates=false"]);
        await using var stop = server.AsAsyncDisposable();
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();

        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await browser.OpenAsync("webrtc.html");
        var answer = await page.EvaluateAsync<JsonElement>("([url, key]) => whipPublish(url, key)", new[] { $"{server.HttpBase}/{livestream.Id}/whip", livestream.StreamKey });
        string sdp = answer.GetProperty("answer").GetString()!;
        Assert.Contains(" tcp ", sdp);
        Assert.Contains("tcptype passive", sdp);
        Assert.DoesNotContain(" udp ", sdp);

        await WhipBrowserTests.WaitForConnectedAsync(page);
        await tenant.WaitForStatusAsync(livestream.Id, "LIVE", TimeSpan.FromSeconds(20));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl, TimeSpan.FromSeconds(30));
        var streams = await Ffmpeg.ProbeAsync(livestream.PlaybackUrl);
        Assert.Contains(streams, s => s.Codec == "h264");
        Assert.Contains(streams, s => s.Codec == "aac");

        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();
        var session = Assert.Single(transport.Sessions);
        Assert.True(session.Remote!.IsTcp);
    }
}
