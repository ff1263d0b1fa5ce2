using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>
/// <c>--bind</c> reaches WebRTC: its UDP port and ICE-TCP listen on the same address as HTTP and RTMP (unless
/// <c>--webrtc-bind</c> names another), and answers announce only that address.
/// </summary>
public sealed class WebRtcBindTests
{
    [Fact]
    public async Task WithBindTheUdpPortAndIceTcpListenOnThatAddressAndAnswersAnnounceOnlyIt()
    {
        // The test servers run with --bind 127.0.0.1.
        await using var own = (await ServerFixture.StartAsync([])).AsAsyncDisposable(out var server);
        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();

        AssertListening("/proc/net/udp", IPAddress.Loopback, transport.Port);
        AssertListening("/proc/net/tcp", IPAddress.Loopback, transport.TcpPort);
        var candidates = await AnswerCandidatesAsync(server);
        Assert.NotEmpty(candidates);
        Assert.All(candidates, c => Assert.Equal("127.0.0.1", c));
    }

    [Fact]
    public async Task WebRtcBindNamesAnotherAddress()
    {
        await using var own = (await ServerFixture.StartAsync(["--webrtc-bind", "127.0.0.2"])).AsAsyncDisposable(out var server);
        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();

        AssertListening("/proc/net/udp", IPAddress.Parse("127.0.0.2"), transport.Port);
        AssertListening("/proc/net/tcp", IPAddress.Parse("127.0.0.2"), transport.TcpPort);
        Assert.All(await AnswerCandidatesAsync(server), c => Assert.Equal("127.0.0.2", c));
    }

    [Fact]
    public void AnIPv6WebRtcBindIsRefusedWithTheReason()
    {
        var options = new WebRtcOptions { Bind = "::1" };
        var result = new WebRtcOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains("--webrtc-bind '::1' must be an IPv4 address", result.FailureMessage);
    }

    /// <summary>
    /// Whether a socket listens on <paramref name="address"/>:<paramref name="port"/> and none on every address at that
    /// port, from the kernel's table (hex, little-endian IPv4). Another test's server may hold the same port number on
    /// another loopback address, and a connected TCP socket may have it as its local port: only listening TCP sockets
    /// (state 0A) count.
    /// </summary>
    private static void AssertListening(string table, IPAddress address, int port)
    {
        var locals = File.ReadLines(table).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => table.EndsWith("udp", StringComparison.Ordinal) || fields[3] == "0A")
            .Select(fields => fields[1].Split(':'))
            .Where(local => int.Parse(local[1], NumberStyles.HexNumber) == port)
            .Select(local => new IPAddress(BitConverter.GetBytes(uint.Parse(local[0], NumberStyles.HexNumber))))
            .ToList();
        Assert.Contains(address, locals);
        Assert.DoesNotContain(IPAddress.Any, locals);
    }

    /// <summary>The addresses of the candidates in a WHIP answer.</summary>
    private static async Task<List<string>> AnswerCandidatesAsync(ServerFixture server)
    {
        var livestream = await (await server.NewTenantAsync()).CreateLivestreamAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{server.HttpBase}/{livestream.Id}/whip")
        {
            Content = new StringContent(WhepBrowserTests.SampleOffer.Replace("a=recvonly", "a=sendonly", StringComparison.Ordinal), Encoding.UTF8, "application/sdp"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", livestream.StreamKey);
        var answer = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        return (await answer.Content.ReadAsStringAsync()).Split("\r\n")
            .Where(line => line.StartsWith("a=candidate:", StringComparison.Ordinal))
            .Select(line => line.Split(' ')[4])
            .ToList();
    }
}
