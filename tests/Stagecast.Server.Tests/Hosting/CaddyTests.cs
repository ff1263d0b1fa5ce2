using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Rtmp.Client;
using Stagecast.Server.Hosting;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hosting;

/// <summary>
/// The shipped deploy/Caddyfile in Debian's Caddy in front of Stagecast: certificates for the public name and its
/// api. and socket-edge. names (Caddy's internal CA, and once through ACME from Debian's pebble), the API, WebSockets
/// and LL-HLS blocking reloads through it, and the client's address as Caddy saw it (a forged one not believed).
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed class CaddyTests
{
    private const string Domain = "live.localhost";

    [Fact]
    public async Task BehindCaddyTheApiChannelAndLowLatencyHlsWorkOverHttpsForEveryNameAndTheClientIsWhoCaddySaw()
    {
        int httpsPort = FreePorts.Next();
        await using var own = (await ServerFixture.StartAsync(
            ["--public-url", $"https://{Domain}:{httpsPort}", "--trusted-proxy", "127.0.0.1", "--set", "Stagecast:WebRtc:MaxSessionsPerAddress=1"]))
            .AsAsyncDisposable(out var server);
        int httpPort = server.App.Services.GetRequiredService<ListeningEndpoints>().HttpEndPoint.Port;
        await using var caddy = await CaddyServer.StartAsync(Domain, $"127.0.0.1:{httpPort}", httpsPort);
        using var http = new HttpClient(caddy.Handler(caddy.InternalRoot)) { Timeout = TimeSpan.FromSeconds(30) };

        // A certificate for each name, from Caddy's CA; each name reaches Stagecast.
        foreach (string? name in new[] { null, "api.", "socket-edge." })
        {
            Assert.Equal("ok\n", await http.GetStringAsync($"{caddy.Url(name)}/healthz"));
        }

        // The SDK's telemetry names too: taken and dropped, with no TLS error in the app's console.
        foreach (string name in new[] { "location.", "location-legacy.", "da-collector.", "api-silos." })
        {
            using var report = await http.PostAsync($"{caddy.Url(name)}/v1/telemetry?authToken=x", new StringContent("{}"));
            Assert.Equal(HttpStatusCode.NoContent, report.StatusCode);
        }

        // The API through it, with https URLs.
        var api = (await server.NewTenantAsync()).WithClient(new HttpClient(caddy.Handler(caddy.InternalRoot)) { BaseAddress = new Uri(caddy.Url("api.")) });
        var livestream = await api.CreateLivestreamAsync();
        Assert.StartsWith($"https://{Domain}:{httpsPort}/", livestream.PlaybackUrl);

        // The realtime channel: a WebSocket through Caddy.
        var ada = await api.AddParticipantAsync(await api.CreateMeetingAsync(), "ada");
        await using (var channel = await RealtimeTestClient.ConnectAsync(caddy.Url("socket-edge."), ada.Token, invoker: new HttpMessageInvoker(caddy.Handler(caddy.InternalRoot))))
        {
            Assert.Equal("ada", (await channel.OkAsync("join")).GetProperty("self").GetProperty("custom_participant_id").GetString());
        }

        // LL-HLS: a blocking reload through Caddy is answered once the part it waits for exists, and the part follows.
        await using var publisher = Ffmpeg.Publish($"rtmp://127.0.0.1:{server.App.Services.GetRequiredService<ListeningEndpoints>().RtmpEndPoint.Port}/live/{livestream.StreamKey}",
            Ffmpeg.AudioVideo(60, "320x180"));
        await server.WaitUntilPlayableAsync(server.HttpBase.Replace($"https://{Domain}:{httpsPort}", $"http://127.0.0.1:{httpPort}", StringComparison.Ordinal)
            + $"/{livestream.Id}/manifest/video.m3u8");
        string media = (await http.GetStringAsync(livestream.PlaybackUrl)).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        string mediaUrl = new Uri(new Uri(livestream.PlaybackUrl), media).ToString();
        var now = ParsedPlaylist.Parse(await http.GetStringAsync(mediaUrl));
        var open = now.Segments[^1];
        var next = ParsedPlaylist.Parse(await http.GetStringAsync($"{mediaUrl}?_HLS_msn={open.Msn}&_HLS_part={open.Parts.Count}"));
        var part = next.Segments.Single(s => s.Msn == open.Msn).Parts.ElementAtOrDefault(open.Parts.Count) ?? next.Segments.Single(s => s.Msn == open.Msn + 1).Parts[0];
        Assert.NotEmpty(await http.GetByteArrayAsync(new Uri(new Uri(mediaUrl), part.Uri)));

        // The client is who Caddy saw: an X-Forwarded-For sent to Caddy is replaced, so one address cannot pose as two.
        var statuses = new List<HttpStatusCode>();
        foreach (string forged in new[] { "198.51.100.1", "198.51.100.2" })
        {
            var other = await api.CreateLivestreamAsync();
            using var offer = new HttpRequestMessage(HttpMethod.Post, $"{caddy.Url()}/{other.Id}/whip")
            {
                Content = new StringContent(WebRtc.WhepBrowserTests.SampleOffer.Replace("a=recvonly", "a=sendonly", StringComparison.Ordinal), Encoding.UTF8, "application/sdp"),
            };
            offer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", other.StreamKey);
            offer.Headers.Add("X-Forwarded-For", forged);
            statuses.Add((await http.SendAsync(offer)).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable], statuses);
    }

    [Fact]
    public async Task CaddyGetsItsCertificatesThroughAcmeFromPebble()
    {
        await using var pebble = await PebbleServer.StartAsync();
        await using var own = (await ServerFixture.StartAsync(["--trusted-proxy", "127.0.0.1"])).AsAsyncDisposable(out var server);
        int httpPort = server.App.Services.GetRequiredService<ListeningEndpoints>().HttpEndPoint.Port;
        // A public-looking name: Caddy issues names under .localhost from its own CA whatever the ACME settings say.
        await using var caddy = await CaddyServer.StartAsync("live.stagecast.example", $"127.0.0.1:{httpPort}", FreePorts.Next(), (pebble.DirectoryUrl, pebble.RootPem));

        var root = await pebble.IssuingRootAsync();
        string? issuer = null;
        using var http = new HttpClient(caddy.Handler(root, leaf => issuer = leaf.Issuer));
        foreach (string? name in new[] { null, "api.", "socket-edge." })
        {
            Assert.Equal("ok\n", await http.GetStringAsync($"{caddy.Url(name)}/healthz"));
        }

        Assert.Contains("Pebble", issuer);
    }
}
