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

        Assert.Equal(IPAddress.Loopback, Listening("/proc/net/udp", transport.Port));
        Assert.Equal(IPAddress.Loopback, Listening("/proc/net/tcp", transport.TcpPort));
        var candidates = await AnswerCandidatesAsync(server);
        Assert.NotEmpty(candidates);
        Assert.All(candidates, c => Assert.Equal("127.0.0.1", c));
    }

    [Fact]
    public async Task WebRtcBindNamesAnotherAddress()
    {
        await using var own = (await ServerFixture.StartAsync(["--webrtc-bind", "127.0.0.2"])).AsAsyncDisposable(out var server);
        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();

        Assert.Equal(IPAddress.Parse("127.0.0.2"), Listening("/proc/net/udp", transport.Port));
        Assert.Equal(IPAddress.Parse("127.0.0.2"), Listening("/proc/net/tcp", transport.TcpPort));
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

    /// <summary>The local address of the socket listening on <paramref name="port"/>, from the kernel's table (hex, little-endian IPv4).</summary>
    private static IPAddress Listening(string table, int port)
    {
        string local = File.ReadLines(table).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])
            .Single(address => int.Parse(address.Split(':')[1], NumberStyles.HexNumber) == port)
            .Split(':')[0];
        return new IPAddress(BitConverter.GetBytes(uint.Parse(local, NumberStyles.HexNumber)));
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
