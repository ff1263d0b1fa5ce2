using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stagecast.Server.Hosting;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hosting;

/// <summary>
/// HTTPS in the server: what HTTP serves, over TLS with HTTP/1.1 and HTTP/2, https URLs in the API's answers, the
/// realtime channel as WSS, WHIP over HTTPS, a certificate renewed on disk taken without a restart, HTTP redirected
/// on request, and forwarded headers believed from named proxies only.
/// </summary>
public sealed class HttpsTests : IDisposable
{
    private readonly TlsFiles _tls = new();

    [Fact]
    public async Task TheApiPagesAndChannelAreServedOverHttpsWithHttpsUrlsAndHttp2()
    {
        await using var own = (await StartAsync()).AsAsyncDisposable(out var server);
        Assert.StartsWith("https://127.0.0.1:", server.HttpBase);
        using var https = Client(out var presented);

        // HTTP/1.1 and HTTP/2 (ALPN) on the one port.
        Assert.Equal("ok\n", await https.GetStringAsync($"{server.HttpBase}/healthz"));
        using var h2 = new HttpRequestMessage(HttpMethod.Get, $"{server.HttpBase}/healthz") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        Assert.Equal(HttpVersion.Version20, (await https.SendAsync(h2)).Version);
        Assert.Equal(_tls.Certificate.Thumbprint, presented());

        // The API hands out https URLs.
        var api = (await server.NewTenantAsync()).WithClient(new HttpClient(Handler(out _)) { BaseAddress = new Uri(server.HttpBase) });
        var created = (await api.PostAsync("/livestreams", "{}")).EnsureOk().Data;
        foreach (string url in new[] { "playback_url", "thumbnail_url", "whip_url", "whep_url", "watch_url" })
        {
            Assert.StartsWith($"{server.HttpBase}/", created.GetProperty(url).GetString());
        }

        // WHIP over HTTPS.
        using var whip = new HttpRequestMessage(HttpMethod.Post, created.GetProperty("whip_url").GetString())
        {
            Content = new StringContent(WebRtc.WhepBrowserTests.SampleOffer.Replace("a=recvonly", "a=sendonly", StringComparison.Ordinal), Encoding.UTF8, "application/sdp"),
        };
        whip.Headers.Authorization = new AuthenticationHeaderValue("Bearer", created.GetProperty("stream_key").GetString());
        Assert.Equal(HttpStatusCode.Created, (await https.SendAsync(whip)).StatusCode);

        // The realtime channel as WSS.
        string meeting = await api.CreateMeetingAsync();
        var participant = await api.AddParticipantAsync(meeting, "ada");
        await using var channel = await RealtimeTestClient.ConnectAsync(server.HttpBase, participant.Token, _tls.Certificate);
        var joined = await channel.OkAsync("join");
        Assert.Equal("ada", joined.GetProperty("self").GetProperty("custom_participant_id").GetString());
    }

    [Fact]
    public async Task ACertificateRenewedOnDiskIsServedToNewConnectionsWithoutARestart()
    {
        var logs = new CapturedLogs();
        var original = _tls.Certificate;
        await using var own = (await ServerFixture.StartAsync(
            [.. _tls.ServerFlags, "--set", "Stagecast:Https:ReloadInterval=00:00:00.2"],
            builder => builder.Logging.AddProvider(logs))).AsAsyncDisposable(out var server);
        Assert.Equal(original.Thumbprint, await PresentedAsync(server));

        // A renewal half-written (a new certificate beside the old key, which does not match it) is refused, and the old
        // certificate kept ... (the new certificate comes from elsewhere in one copy: renewing in place writes both files,
        // and the server could read the whole renewal before the test put the old key back).
        using (var elsewhere = new TlsFiles())
        {
            File.Copy(elsewhere.Certificate.CertificateFile, original.CertificateFile, overwrite: true);
        }

        await Eventually.TrueAsync(() => logs.Lines.Any(l => l.Message.Contains("cannot be read (kept the current one)", StringComparison.Ordinal)), "the half-written renewal to be refused");
        Assert.Equal(original.Thumbprint, await PresentedAsync(server));

        // ... and the whole one is taken.
        var renewed = _tls.Renew();
        await Eventually.MatchAsync(() => PresentedAsync(server), t => t == renewed.Thumbprint, "new connections to get the renewed certificate");
    }

    [Fact]
    public async Task HttpIsRedirectedToHttpsWhenAskedHealthChecksAndMetricsExcepted()
    {
        await using var own = (await StartAsync("--https-redirect")).AsAsyncDisposable(out var server);
        using var plain = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        var endpoints = server.App.Services.GetRequiredService<ListeningEndpoints>();
        string http = $"http://127.0.0.1:{endpoints.HttpEndPoint.Port}";
        var answer = await plain.PostAsync($"{http}/some-livestream/whip?x=1", new StringContent("v=0"));
        Assert.Equal(HttpStatusCode.PermanentRedirect, answer.StatusCode);
        Assert.Equal($"{server.HttpBase}/some-livestream/whip?x=1", answer.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync($"{http}/healthz")).StatusCode);

        // Prometheus scrapes the metrics listener over plain HTTP; a 308 to HTTPS, which has no /metrics, lost it.
        var metrics = await plain.GetAsync($"http://{endpoints.MetricsEndPoint}/metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("stagecast_", await metrics.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ForwardedHeadersAreBelievedOnlyFromATrustedProxy()
    {
        // One WebRTC session per client address: two publishers behind one proxy fit only if the proxy's word is taken.
        foreach (bool trusted in new[] { false, true })
        {
            string[] arguments = trusted ? ["--trusted-proxy", "127.0.0.0/8"] : [];
            await using var own = (await ServerFixture.StartAsync(["--set", "Stagecast:WebRtc:MaxSessionsPerAddress=1", .. arguments])).AsAsyncDisposable(out var server);
            var tenant = await server.NewTenantAsync();
            var statuses = new List<HttpStatusCode>();
            foreach (string client in new[] { "198.51.100.1", "198.51.100.2" })
            {
                var livestream = await tenant.CreateLivestreamAsync();
                using var offer = new HttpRequestMessage(HttpMethod.Post, $"{server.HttpBase}/{livestream.Id}/whip")
                {
                    Content = new StringContent(WebRtc.WhepBrowserTests.SampleOffer.Replace("a=recvonly", "a=sendonly", StringComparison.Ordinal), Encoding.UTF8, "application/sdp"),
                };
                offer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", livestream.StreamKey);
                offer.Headers.Add("X-Forwarded-For", client);
                statuses.Add((await server.Http.SendAsync(offer)).StatusCode);
            }

            Assert.Equal(trusted ? [HttpStatusCode.Created, HttpStatusCode.Created] : [HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable], statuses);
        }
    }

    private Task<ServerFixture> StartAsync(params string[] more) =>
        ServerFixture.StartAsync([.. _tls.ServerFlags, .. more]);

    public void Dispose() => _tls.Dispose();

    /// <summary>A handler that trusts exactly the test certificate, and tells which certificate the server presented.</summary>
    private SocketsHttpHandler Handler(out Func<string?> presented)
    {
        string? seen = null;
        presented = () => seen;
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                {
                    seen = certificate?.GetCertHashString();
                    return seen == _tls.Certificate.Thumbprint;
                },
            },
        };
    }

    private HttpClient Client(out Func<string?> presented) => new(Handler(out presented));

    /// <summary>The thumbprint of the certificate a new TLS connection is given.</summary>
    private static async Task<string> PresentedAsync(ServerFixture server)
    {
        var address = new Uri(server.HttpBase);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "127.0.0.1" });
        return new X509Certificate2(tls.RemoteCertificate!).GetCertHashString();
    }
}
