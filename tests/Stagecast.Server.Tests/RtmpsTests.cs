using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stagecast.Server.Hosting;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>
/// RTMPS ingest with the HTTPS certificate: a livestream created for it hands out an rtmps:// ingest server, ffmpeg
/// publishes over TLS and the stream plays; connections are admitted (per address) before their TLS handshake, which
/// must end within RTMP's set-up deadline.
/// </summary>
public sealed class RtmpsTests : IDisposable
{
    private readonly TlsFiles _tls = new();

    [Fact]
    public async Task FfmpegPublishesOverRtmpsToTheIngestServerALivestreamWasCreatedForAndItPlays()
    {
        await using var own = (await StartAsync()).AsAsyncDisposable(out var server);
        int port = server.App.Services.GetRequiredService<ListeningEndpoints>().RtmpsEndPoint!.Port;
        var api = await server.NewTenantAsync();
        var plain = (await api.PostAsync("/livestreams", "{}")).EnsureOk().Data;
        Assert.StartsWith("rtmp://", plain.GetProperty("ingest_server").GetString());

        var created = (await api.PostAsync("/livestreams?protocol=rtmps", "{}")).EnsureOk().Data;
        string ingest = created.GetProperty("ingest_server").GetString()!;
        Assert.Equal($"rtmps://127.0.0.1:{port}/live", ingest);
        string id = created.GetProperty("id").GetString()!;
        Assert.Equal(ingest, (await api.GetLivestreamAsync(id)).GetProperty("livestream").GetProperty("ingest_server").GetString()); // kept

        await using var publisher = Ffmpeg.Publish($"{ingest}/{created.GetProperty("stream_key").GetString()}", Ffmpeg.AudioVideo(30, "320x180"));
        await api.WaitForStatusAsync(id, "LIVE");
        // What comes in says how: an RTMPS publisher was reported as rtmp.
        Assert.Equal("rtmps", await IngestProtocolAsync(api, id));
        string playback = created.GetProperty("playback_url").GetString()!;
        await server.WaitUntilPlayableAsync(playback);
        var streams = await Ffmpeg.ProbeAsync(playback);
        Assert.Contains(streams, s => s.Codec == "h264");
        Assert.Contains(streams, s => s.Codec == "aac");
    }

    [Fact]
    public async Task ALivestreamThatRequiresTlsRefusesItsKeyInClearAndSaysWhy()
    {
        var logs = new CapturedLogs();
        await using var own = (await ServerFixture.StartAsync(_tls.ServerFlags, builder => builder.Logging.AddProvider(logs))).AsAsyncDisposable(out var server);
        var endpoints = server.App.Services.GetRequiredService<ListeningEndpoints>();
        var api = await server.NewTenantAsync();

        // Created for RTMPS, it requires TLS unless told otherwise; any livestream may ask for it.
        var created = (await api.PostAsync("/livestreams?protocol=rtmps", "{}")).EnsureOk().Data;
        Assert.True(created.GetProperty("require_tls").GetBoolean());
        Assert.False((await api.PostAsync("/livestreams", "{}")).EnsureOk().Data.GetProperty("require_tls").GetBoolean());
        Assert.True((await api.PostAsync("/livestreams", """{"require_tls": true}""")).EnsureOk().Data.GetProperty("require_tls").GetBoolean());
        Assert.False((await api.PostAsync("/livestreams?protocol=rtmps", """{"require_tls": false}""")).EnsureOk().Data.GetProperty("require_tls").GetBoolean());
        string id = created.GetProperty("id").GetString()!;
        string key = created.GetProperty("stream_key").GetString()!;

        // The attack: the same key over plain RTMP, in clear, was taken.
        string plain = $"rtmp://127.0.0.1:{endpoints.RtmpEndPoint.Port}/live/{key}";
        await using (Ffmpeg.Publish(plain, Ffmpeg.AudioVideo(30, "320x180")))
        {
            await Eventually.TrueAsync(() => logs.Lines.Any(l => l.Message.Contains("publish refused", StringComparison.Ordinal)
                && l.Message.Contains("requires TLS and the key came in clear over rtmp", StringComparison.Ordinal)), "the refusal to be logged with its reason");
        }

        Assert.Equal("IDLE", (await api.GetLivestreamAsync(id)).GetProperty("livestream").GetProperty("status").GetString());
        Assert.DoesNotContain(logs.Lines, l => l.Message.Contains(key, StringComparison.Ordinal)); // the key itself is never logged

        // WHIP over plain HTTP sends the key in clear too.
        using var http = new HttpClient { BaseAddress = new Uri($"http://{endpoints.HttpEndPoint}") };
        using var offer = new HttpRequestMessage(HttpMethod.Post, $"/{id}/whip")
        {
            Content = new StringContent(WebRtc.WhepBrowserTests.SampleOffer.Replace("a=recvonly", "a=sendonly", StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/sdp"),
        };
        offer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        var whip = await http.SendAsync(offer);
        Assert.Equal(HttpStatusCode.Unauthorized, whip.StatusCode);
        Assert.Contains("requires TLS", await whip.Content.ReadAsStringAsync());

        // Turned off, plain RTMP is taken, and reported as such.
        Assert.False((await api.SendAsync(HttpMethod.Patch, $"/livestreams/{id}", """{"require_tls": false}""")).EnsureOk().Data.GetProperty("require_tls").GetBoolean());
        await using var publisher = Ffmpeg.Publish(plain, Ffmpeg.AudioVideo(30, "320x180"));
        await api.WaitForStatusAsync(id, "LIVE");
        Assert.Equal("rtmp", await IngestProtocolAsync(api, id));
    }

    [Fact]
    public async Task WithoutACertificateAnRtmpsLivestreamIsRefusedWithTheReason()
    {
        await using var own = (await ServerFixture.StartAsync([])).AsAsyncDisposable(out var server);
        var refused = await (await server.NewTenantAsync()).PostAsync("/livestreams?protocol=rtmps", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("--tls-cert", refused.ErrorMessage);
    }

    [Fact]
    public async Task ConnectionsAreAdmittedPerAddressBeforeTheirHandshakeWhichMustEndWithinTheSetUpDeadline()
    {
        // Two connections per address; a set-up deadline far past the test's patience.
        await using (var own = (await StartAsync("--set", "Stagecast:Rtmp:MaxConnectionsPerAddress=2", "--set", "Stagecast:Rtmp:SetupDeadline=00:10:00"))
            .AsAsyncDisposable(out var server))
        {
            int port = server.App.Services.GetRequiredService<ListeningEndpoints>().RtmpsEndPoint!.Port;
            using var first = await ConnectAsync(port);
            using var second = await ConnectAsync(port);
            Assert.True(await RefusedAsync(port)); // the third: refused before any TLS, closed at once
            Assert.False(await ClosedAsync(first));
            Assert.False(await ClosedAsync(second));
        }

        // A handshake that never comes ends at the deadline.
        await using (var own = (await StartAsync("--set", "Stagecast:Rtmp:SetupDeadline=00:00:01")).AsAsyncDisposable(out var server))
        {
            int port = server.App.Services.GetRequiredService<ListeningEndpoints>().RtmpsEndPoint!.Port;
            using var silent = await ConnectAsync(port);
            Assert.Equal(0, await ReadAsync(silent));
        }
    }

    private Task<ServerFixture> StartAsync(params string[] more) =>
        ServerFixture.StartAsync([.. _tls.ServerFlags, .. more]);

    public void Dispose() => _tls.Dispose();

    /// <summary>The protocol the livestream says its publisher came over (<c>ingest.protocol</c>), once it says one.</summary>
    private static async Task<string?> IngestProtocolAsync(StagecastApiClient api, string id)
    {
        static string? Protocol(JsonElement livestream) =>
            livestream.GetProperty("livestream").TryGetProperty("ingest", out var ingest) && ingest.ValueKind == JsonValueKind.Object
                ? ingest.GetProperty("protocol").GetString()
                : null;
        return Protocol(await Eventually.MatchAsync(() => api.GetLivestreamAsync(id), d => Protocol(d) is not null, "the livestream to show what comes in"));
    }

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        return client;
    }

    /// <summary>Whether a new connection is closed by the server without a byte (its reset may even come during the connect).</summary>
    private static async Task<bool> RefusedAsync(int port)
    {
        try
        {
            using var client = await ConnectAsync(port);
            return await ReadAsync(client) == 0;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
        {
            return true;
        }
    }

    /// <summary>Reads until the server closes (0, a reset too) or sends something; the wait is a hang guard, not a figure.</summary>
    private static async Task<int> ReadAsync(TcpClient client)
    {
        try
        {
            return await client.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset })
        {
            return 0;
        }
    }

    /// <summary>Whether the server has closed the connection (a zero-byte read is ready), without waiting.</summary>
    private static Task<bool> ClosedAsync(TcpClient client) =>
        Task.FromResult(client.Client.Poll(0, SelectMode.SelectRead) && client.Client.Available == 0);
}
