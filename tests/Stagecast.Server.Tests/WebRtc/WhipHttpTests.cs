using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>The WHIP resource over HTTP (RFC 9725): who may publish, what an offer must carry, CORS, trickle and DELETE.</summary>
public sealed class WhipHttpTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly string SendOnlyOffer = WhepBrowserTests.SampleOffer.Replace("a=recvonly", "a=sendonly", StringComparison.Ordinal);

    [Fact]
    public async Task KeysAreCheckedAndOffersWithoutAUsableCodecAreRefusedWithTheReason()
    {
        // Its own server: a refused key counts against 127.0.0.1 in the publish throttle the shared server's tests use.
        var own = await ServerFixture.StartAsync([]);
        await using var stop = own.AsAsyncDisposable();
        var tenant = await own.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        var other = await tenant.CreateLivestreamAsync();
        string whip = $"{own.HttpBase}/{livestream.Id}/whip";

        Assert.Equal(HttpStatusCode.Unauthorized, (await own.Http.SendAsync(Request(whip, SendOnlyOffer, null))).StatusCode);
        var wrongKey = await own.Http.SendAsync(Request(whip, SendOnlyOffer, "not-a-key"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        Assert.Contains("unknown stream key", await wrongKey.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await own.Http.SendAsync(Request(whip, SendOnlyOffer, other.StreamKey))).StatusCode);

        string noCodec = SendOnlyOffer.Replace("H264/90000", "H265/90000", StringComparison.Ordinal).Replace("opus/48000/2", "PCMU/8000", StringComparison.Ordinal);
        var refused = await own.Http.SendAsync(Request(whip, noCodec, livestream.StreamKey));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("H.264", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PreflightTrickleAndDeleteFollowTheSpecification()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        string whip = $"{server.HttpBase}/{livestream.Id}/whip";

        using var preflight = new HttpRequestMessage(HttpMethod.Options, whip);
        preflight.Headers.Add("Origin", "https://app.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        var options = await server.Http.SendAsync(preflight);
        Assert.Equal(HttpStatusCode.NoContent, options.StatusCode);
        Assert.Equal("*", options.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Authorization", options.Headers.GetValues("Access-Control-Allow-Headers").Single());

        // A WHIP client (not a browser) asking what the endpoint takes.
        var plain = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Options, whip));
        Assert.Equal(HttpStatusCode.NoContent, plain.StatusCode);
        Assert.Equal("application/sdp", plain.Headers.GetValues("Accept-Post").Single());

        using var post = Request(whip, SendOnlyOffer, livestream.StreamKey);
        post.Headers.Add("Origin", "https://app.example");
        var created = await server.Http.SendAsync(post);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        string answer = await created.Content.ReadAsStringAsync();
        Assert.Contains("a=recvonly", answer);
        Assert.Contains("a=setup:passive", answer);
        string resource = server.HttpBase + created.Headers.Location;
        var etag = created.Headers.ETag!;
        Assert.Contains("Location", created.Headers.GetValues("Access-Control-Expose-Headers").Single());

        Assert.Equal(HttpStatusCode.NoContent, (await PatchAsync(resource, etag.Tag)).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await PatchAsync(resource, "\"stale\"")).StatusCode);
        using (var wrongType = new HttpRequestMessage(HttpMethod.Patch, resource) { Content = new StringContent("a=candidate:1", Encoding.UTF8, "text/plain") })
        {
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await server.Http.SendAsync(wrongType)).StatusCode);
        }

        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();
        Assert.Contains(transport.Sessions, s => resource.EndsWith(s.Id, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await server.Http.DeleteAsync(resource)).StatusCode);
        Assert.DoesNotContain(transport.Sessions, s => resource.EndsWith(s.Id, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.DeleteAsync(resource)).StatusCode);
    }

    [Fact]
    public async Task PublicAddressesAreAnnouncedAsCandidates()
    {
        var own = await ServerFixture.StartAsync(["--webrtc-public-ip", "203.0.113.7", "--webrtc-public-ip", "203.0.113.8"]);
        await using var stop = own.AsAsyncDisposable();
        var tenant = await own.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        var created = await own.Http.SendAsync(Request($"{own.HttpBase}/{livestream.Id}/whip", SendOnlyOffer, livestream.StreamKey));
        string answer = await created.Content.ReadAsStringAsync();
        int port = own.App.Services.GetRequiredService<WebRtcTransport>().Port;
        Assert.Contains($" udp 2130706431 203.0.113.7 {port} typ host", answer);
        Assert.Contains($" udp 2130706431 203.0.113.8 {port} typ host", answer);
        Assert.Contains("tcptype passive", answer);
    }

    private Task<HttpResponseMessage> PostAsync(string url, string sdp, string? key) => server.Http.SendAsync(Request(url, sdp, key));

    private static HttpRequestMessage Request(string url, string sdp, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(sdp, Encoding.UTF8, "application/sdp") };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    private Task<HttpResponseMessage> PatchAsync(string resource, string ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, resource)
        {
            Content = new StringContent("a=candidate:1 1 udp 2130706431 127.0.0.1 5000 typ host\r\n", Encoding.UTF8, "application/trickle-ice-sdpfrag"),
        };
        request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return server.Http.SendAsync(request);
    }
}
