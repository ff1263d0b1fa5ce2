using System.Net.Sockets;
using System.Text;
using Stagecast.Hls.Serving;
using Stagecast.Testing;

namespace Stagecast.Hls.Tests;

/// <summary>
/// The playback handler on the connection: every test of <see cref="HlsPlaybackTests"/> again, and what only it does
/// (answers on the connection, hands a connection to Kestrel at its first request of another kind, closes idle ones).
/// </summary>
public class PlaybackConnectionTests : HlsPlaybackTests
{
    private const string PlayerFileRoute = "/{streamId}/manifest/{epoch}/{player}/{file}";

    protected override bool OnConnections => true;

    protected override TimeSpan KeepAliveTimeout => TimeSpan.FromSeconds(1.5);

    protected override TimeSpan RequestHeadersTimeout => TimeSpan.FromSeconds(1.5);

    [Fact]
    public async Task PlayerRequestsAreAnsweredOnTheConnection()
    {
        var playlist = ParsedPlaylist.Parse(await Http.GetStringAsync("/live1/manifest/ep0/p1/stream.m3u8"));
        byte[] part = await Http.GetByteArrayAsync($"/live1/manifest/ep0/p1/{playlist.Parts.First().Uri}");
        Assert.Equal(["moof", "mdat"], Box.Parse(part).Select(b => b.Type));
        await Eventually.TrueAsync(() => Answered.Count == 2, "both answers counted"); // counted once sent
        Assert.Equal([(PlayerFileRoute, 200), (PlayerFileRoute, 200)], Answered);
    }

    [Fact]
    public async Task APartAskedForAgainIsSentFromItsMemoryFile()
    {
        var playlist = ParsedPlaylist.Parse(await Http.GetStringAsync("/live1/manifest/ep0/p1/stream.m3u8"));
        string part = $"/live1/manifest/ep0/p1/{playlist.Parts.First().Uri}";
        byte[] first = await Http.GetByteArrayAsync(part);
        long before = FileSender.BytesFromFiles;

        byte[] second = await Http.GetByteArrayAsync(part);
        byte[] third = await Http.GetByteArrayAsync(part);

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        // Counted just after the kernel took them, so the client may have read them first.
        await Eventually.TrueAsync(() => FileSender.BytesFromFiles - before >= 2L * first.Length, "the second and third answers sent from the part's file");
    }

    [Fact]
    public async Task TheFirstRequestOfAnotherKindHandsTheConnectionToKestrel()
    {
        var playlist = ParsedPlaylist.Parse(await Http.GetStringAsync("/live1/manifest/ep0/p1/stream.m3u8"));
        string part = $"/live1/manifest/ep0/p1/{playlist.Parts.First().Uri}";
        byte[] expected = await Http.GetByteArrayAsync(part);
        // An answer is counted once sent, so the client may read it before it is counted: wait for both so far.
        int before = await Eventually.MatchAsync(() => Answered.Count, count => count == 2, "the playlist's and the part's answers counted");

        // Three requests in one write: a part, an API path, the part again.
        using var client = await ConnectAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(Get(part) + Get("/v2/livestreams") + Get(part)));
        var first = await RawResponse.ReadAsync(stream);
        var second = await RawResponse.ReadAsync(stream);
        var third = await RawResponse.ReadAsync(stream);

        Assert.Equal([200, 418, 200], new[] { first.Status, second.Status, third.Status }); // 418: the rest of the server's pipeline
        Assert.Equal(expected, first.Body);
        Assert.Equal(expected, third.Body); // by Kestrel now: the connection is its own
        Assert.Equal(before + 1, Answered.Count);
    }

    [Theory]
    [InlineData("GET {0} HTTP/1.0\r\n\r\n", 200)]
    [InlineData("GET {0}?_HLS_msn=%30 HTTP/1.1\r\nHost: x\r\n\r\n", 200)]
    [InlineData("GET {0} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 200)]
    [InlineData("GET {0} HTTP/1.1\r\n\r\n", 400)] // no Host: Kestrel refuses it
    [InlineData("GET {0} HTTP/1.1\r\nHost: x\r\nX-Padding: {1}\r\n\r\n", 200)] // a head longer than the handler reads
    [InlineData("DELETE {0} HTTP/1.1\r\nHost: x\r\n\r\n", 405)]
    public async Task WhatAPlayerDoesNotSendIsLeftToKestrel(string request, int status)
    {
        using var client = await ConnectAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(string.Format(request, "/live1/manifest/ep0/p1/stream.m3u8", new string('a', 9000))));
        Assert.Equal(status, (await RawResponse.ReadAsync(stream)).Status);
        Assert.Empty(Answered);
    }

    [Fact]
    public async Task AnIdleConnectionIsClosedAndAnUnfinishedHeadIsKestrels()
    {
        using var idle = await ConnectAsync();
        using var unfinished = await ConnectAsync();
        await idle.GetStream().WriteAsync(Encoding.ASCII.GetBytes(Get("/live1/manifest/ep0/p1/stream.m3u8")));
        Assert.Equal(200, (await RawResponse.ReadAsync(idle.GetStream())).Status);
        await unfinished.GetStream().WriteAsync("GET /live1/manifest/ep0/p1/stream.m3u8 HTTP/1.1\r\nHost:"u8.ToArray());

        // The idle one is closed by the handler after the keep-alive timeout (end of stream, not the test giving up);
        // the unfinished one gets Kestrel's answer at Kestrel's header deadline.
        using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        Assert.Equal(0, await idle.GetStream().ReadAsync(new byte[16], giveUp.Token));
        Assert.Equal(408, (await RawResponse.ReadAsync(unfinished.GetStream()).WaitAsync(giveUp.Token)).Status);
        Assert.Single(Answered);
    }

    [Fact]
    public async Task APlayerGoneWhileItWaitsEndsTheWait()
    {
        var playlist = ParsedPlaylist.Parse(await Http.GetStringAsync("/live1/manifest/ep0/p1/stream.m3u8"));
        var open = playlist.Segments[^1];
        int before = await Eventually.MatchAsync(() => Answered.Count, count => count == 1, "the playlist's answer counted"); // counted once sent
        using (var client = await ConnectAsync())
        {
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(Get($"/live1/manifest/ep0/p1/stream.m3u8?_HLS_msn={open.Msn}&_HLS_part={open.Parts.Count}")));
            await Eventually.TrueAsync(() => Stream.BlockedRequests == 1, "the reload to block");
        }

        await Eventually.TrueAsync(() => Stream.BlockedRequests == 0, "the wait to end with the connection");
        Assert.Equal(before, Answered.Count);
    }

    [Fact]
    public async Task ConnectionCloseIsHonoured()
    {
        using var client = await ConnectAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("HEAD /live1/manifest/ep0/p1/stream.m3u8 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        var response = await RawResponse.ReadAsync(stream, head: true);
        Assert.Equal(200, response.Status);
        Assert.Contains("Connection: close", response.Head);
        Assert.Equal(0, await stream.ReadAsync(new byte[16]));
    }

    [Fact]
    public void AHeadSplitOverBufferSegmentsIsReadWhole()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Get("/live1/manifest/ep0/p1/part3.m4s?_HLS_msn=1") + "GET /next");
        Assert.True(PlaybackRequestParser.TryParse(Bytes.Fragmented(bytes, 7), Registry, out var request, out long headLength));
        Assert.Equal(bytes.Length - "GET /next".Length, headLength);
        Assert.Equal(("p1", "part3.m4s", 1L, "test"), (request.Path.Player, request.Path.File, request.Query.Msn, request.UserAgent));
    }

    protected static string Get(string path) => $"GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: test\r\n\r\n";

    protected async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient();
        await client.ConnectAsync(Address.Host, Address.Port);
        return client;
    }

    /// <summary>One HTTP/1.1 response with a Content-Length, read off a raw connection.</summary>
    protected sealed record RawResponse(int Status, string Head, byte[] Body)
    {
        public static async Task<RawResponse> ReadAsync(NetworkStream stream, bool head = false)
        {
            var bytes = new List<byte>();
            var one = new byte[1];
            while (bytes.Count < 4 || !(bytes[^4] == '\r' && bytes[^3] == '\n' && bytes[^2] == '\r' && bytes[^1] == '\n'))
            {
                if (await stream.ReadAsync(one) == 0)
                {
                    throw new EndOfStreamException("the connection closed inside a response head");
                }

                bytes.Add(one[0]);
            }

            string text = Encoding.ASCII.GetString([.. bytes]);
            int status = int.Parse(text.Split(' ')[1]);
            string? length = text.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))?.Split(':')[1].Trim();
            var body = new byte[head || length is null ? 0 : int.Parse(length)];
            await stream.ReadExactlyAsync(body);
            return new RawResponse(status, text, body);
        }
    }
}
