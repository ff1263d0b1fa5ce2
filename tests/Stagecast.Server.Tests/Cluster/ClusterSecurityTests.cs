using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Server.Tests.WebRtc;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Cluster;

/// <summary>
/// The hostile tester's attacks on a cluster, replayed on two nodes (separate processes) of two accounts, on a real
/// PostgreSQL and a real Redis that wants a password. A is where streams and meetings live; B forwards to it.
/// </summary>
[Collection(HeavyCollection.Name)]
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class ClusterSecurityTests : IAsyncLifetime
{
    private const string RedisPassword = "redis pass/word"; // escaped in the URL
    private static readonly Dictionary<string, (string Account, string App, string Token)> Tenants = new()
    {
        ["A"] = ("security-account-a", "security-app-a", "sct_security_a_0123456789abcdefghijklmnopq"),
        ["B"] = ("security-account-b", "security-app-b", "sct_security_b_0123456789abcdefghijklmnopq"),
    };

    private RedisServer _redis = null!;
    private string _database = null!;
    private readonly Dictionary<string, ServerProcess> _nodes = [];

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync(RedisPassword);
        _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        foreach (string id in new[] { "A", "B" })
        {
            _nodes[id] = await StartNodeAsync(id, _redis.Url);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes.Values)
        {
            await node.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task ClusterNodesShowsAnAccountOnlyItsOwnStreamsAndTheOperatorEveryStream()
    {
        var owner = Api("A", "A");
        var livestream = await owner.CreateLivestreamAsync("private");
        await using var publisher = Ffmpeg.Publish(PublishUrl("A", livestream), Ffmpeg.AudioVideo(60, "320x180"));
        await owner.WaitForStatusAsync(livestream.Id, "LIVE");

        await Eventually.TrueAsync(async () => StreamsOn(await NodesAsync("B", Tenants["A"].Token), "A").Contains(livestream.Id), "its account to see the stream on A");

        // The attack: another account's API token asks for the nodes, on either node, and finds the stream's id.
        foreach (string node in new[] { "A", "B" })
        {
            var nodes = await NodesAsync(node, Tenants["B"].Token);
            Assert.Equal(["A", "B"], nodes.EnumerateArray().Select(n => n.GetProperty("id").GetString()).Order());
            Assert.DoesNotContain(livestream.Id, nodes.ToString());
        }

        // The operator, on either node's metrics listener (no token: it is loopback and the operator's), sees it on A.
        Assert.Contains(livestream.Id, StreamsOn(await OperatorNodesAsync("B"), "A"));
        Assert.Contains(livestream.Id, StreamsOn(await OperatorNodesAsync("A"), "A"));
    }

    [Fact]
    public async Task ForwardedWhepAndMeetingMediaCountTheirClientsNotTheForwardingNode()
    {
        // Each node allows 2 WebRTC sessions per client address (20 by default; the tester needed 20 offers).
        var owner = Api("A", "A");
        var livestream = await owner.CreateLivestreamAsync("watched");
        await using var publisher = Ffmpeg.Publish(PublishUrl("A", livestream), Ffmpeg.AudioVideo(60, "320x180"));
        await owner.WaitForStatusAsync(livestream.Id, "LIVE");
        string whep = $"{_nodes["B"].HttpBase}/{livestream.Id}/whep";

        // The attack: credential-free WHEP offers through B, from one address, up to its limit (the tester's address
        // also sends a forged X-Forwarded-For, which B replaces).
        using var attacker = SourceAddress.Client("127.0.0.2");
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await OfferAsync(attacker, whep, WhepBrowserTests.SampleOffer, forgedFor: $"10.0.0.{i}")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await OfferAsync(attacker, whep, WhepBrowserTests.SampleOffer, forgedFor: "10.0.0.9")).StatusCode);

        // A viewer coming through the same node gets in: A counts clients, not B.
        using var viewer = SourceAddress.Client("127.0.0.3");
        Assert.Equal(HttpStatusCode.Created, (await OfferAsync(viewer, whep, WhepBrowserTests.SampleOffer)).StatusCode);

        // Straight to A, a client's own X-Forwarded-For is not believed: it is counted under its own address.
        Assert.Equal(HttpStatusCode.ServiceUnavailable,
            (await OfferAsync(attacker, $"{_nodes["A"].HttpBase}/{livestream.Id}/whep", WhepBrowserTests.SampleOffer, forgedFor: "10.0.0.10")).StatusCode);

        // A meeting whose room is on A (its first participant reached A): three participants through B each publish
        // their camera, from their own addresses; more sessions than one address may have, all of them let in.
        string meeting = await owner.CreateMeetingAsync();
        var (first, _) = await MeetingHelpers.JoinAsync(_nodes["A"].HttpBase, await owner.AddParticipantAsync(meeting, "first"));
        await using var _f = first;
        var sockets = new List<RealtimeTestClient>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var participant = await owner.AddParticipantAsync(meeting, $"through-b-{i}");
                var (socket, joined) = await MeetingHelpers.JoinAsync(_nodes["B"].HttpBase, participant);
                sockets.Add(socket);
                using var from = SourceAddress.Client($"127.0.0.{11 + i}");
                string peer = joined.GetProperty("peer_id").GetString()!;
                var published = await OfferAsync(from, $"{_nodes["B"].HttpBase}/realtime/v1/peers/{peer}/whip?source=camera", MeetingMediaHttpTests.PublishOffer, participant.Token);
                Assert.True(published.StatusCode == HttpStatusCode.Created, $"participant {i}: {published.StatusCode} {await published.Content.ReadAsStringAsync()}");
            }
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task NodesThatForwardAParticipantsRequestsLogNoTokenEvenWithTheFrameworksRequestLogsTurnedOn()
    {
        var owner = Api("A", "A");
        string meeting = await owner.CreateMeetingAsync();
        var (first, _) = await MeetingHelpers.JoinAsync(_nodes["A"].HttpBase, await owner.AddParticipantAsync(meeting, "first"));
        await using (first)
        {
            // Through B: the channel (the token in the query string, as browsers send it) and a WHIP publish.
            var participant = await owner.AddParticipantAsync(meeting, "roamer");
            var (socket, joined) = await MeetingHelpers.JoinAsync(_nodes["B"].HttpBase, participant);
            await using (socket)
            {
                await socket.OkAsync("chat_send", new { text = "through B" });
                using var http = new HttpClient();
                string peer = joined.GetProperty("peer_id").GetString()!;
                Assert.Equal(HttpStatusCode.Created,
                    (await OfferAsync(http, $"{_nodes["B"].HttpBase}/realtime/v1/peers/{peer}/whip?token={participant.Token}", MeetingMediaHttpTests.PublishOffer)).StatusCode);
            }

            // Stopped cleanly, so every line they logged is written out.
            foreach (var node in _nodes.Values)
            {
                await node.Process.InterruptAsync();
                Assert.Equal(0, await node.Process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            }

            string signature = participant.Token[(participant.Token.LastIndexOf('.') + 1)..];
            foreach (var (id, node) in _nodes)
            {
                Assert.Contains("Stagecast stopped", node.Output); // the log was written to its end
                Assert.False(node.Output.Contains(signature, StringComparison.Ordinal), $"node {id} logged the participant token:\n{node.Output}");
                Assert.DoesNotContain(RedisPassword, node.Output);
            }
        }
    }

    [Fact]
    public async Task ANodeGivenNoRedisPasswordOrAWrongOneIsRefusedAtStartWithAClearError()
    {
        const string Wrong = "not-the-password-5f3a";
        foreach (var (url, expected) in new[]
        {
            ($"redis://127.0.0.1:{_redis.Port}", "it requires a password"),
            ($"redis://:{Wrong}@127.0.0.1:{_redis.Port}", "wrong password"),
        })
        {
            var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StartNodeAsync("C", url));
            Assert.True(refused.Message.Contains($"Redis at redis://127.0.0.1:{_redis.Port} refused this node: {expected}", StringComparison.Ordinal), refused.Message);
            Assert.DoesNotContain(Wrong, refused.Message);
        }

        // With it, the nodes are in: their heartbeats are in Redis.
        Assert.NotNull(await _redis.GetAsync("stagecast:node:A"));
        Assert.NotNull(await _redis.GetAsync("stagecast:node:B"));
    }

    [Fact]
    public async Task ANodeReachesRedisOverTlsWithAPrivateCa()
    {
        var certificate = TestCertificate.Create(Directory.CreateTempSubdirectory("stagecast-redis-tls-").FullName);
        await using var tls = await RedisServer.StartAsync(RedisPassword, certificate);
        _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync(); // a cluster of its own
        await using var node = await StartNodeAsync("T", tls.TlsUrl, "--set", $"Stagecast:Cluster:RedisCaCertificate={certificate.CertificateFile}");
        await Eventually.TrueAsync(async () => await tls.GetAsync("stagecast:node:T") is not null, "the node's heartbeat, written over TLS");

        // Without the CA, the server's certificate is not trusted: refused at start, saying so.
        var untrusted = await Assert.ThrowsAsync<InvalidOperationException>(() => StartNodeAsync("U", tls.TlsUrl));
        Assert.True(untrusted.Message.Contains($"Redis at rediss://127.0.0.1:{tls.TlsPort} refused this node: its TLS certificate is not trusted", StringComparison.Ordinal),
            untrusted.Message);
    }

    private async Task<ServerProcess> StartNodeAsync(string id, string redisUrl, params string[] more)
    {
        var tenant = Tenants.GetValueOrDefault(id, Tenants["A"]);
        return await ServerProcess.StartAsync(null, new Dictionary<string, string>
        {
            ["STAGECAST_ACCOUNT_ID"] = tenant.Account,
            ["STAGECAST_APP_ID"] = tenant.App,
            ["STAGECAST_API_TOKEN"] = tenant.Token,

            // An operator turning the framework's request logs up, generally and for the console alone.
            ["Logging__LogLevel__Yarp"] = "Trace",
            ["Logging__Console__LogLevel__Microsoft.AspNetCore.Hosting"] = "Trace",
        },
            [
                "--database-url", _database, "--redis-url", redisUrl, "--node-id", id,
                "--set", "Stagecast:Cluster:LeaseTime=00:00:04", "--set", "Stagecast:Cluster:RenewInterval=00:00:01",
                "--set", "Stagecast:WebRtc:MaxSessionsPerAddress=2", "--set", "Stagecast:WebRtc:ConnectDeadline=00:02:00",
                .. more,
            ]);
    }

    private StagecastApiClient Api(string node, string tenant) =>
        new(new HttpClient { BaseAddress = new Uri(_nodes[node].HttpBase) }, Tenants[tenant].Account, Tenants[tenant].App, Tenants[tenant].Token);

    private string PublishUrl(string node, CreatedLivestream livestream) => $"rtmp://127.0.0.1:{_nodes[node].RtmpPort}/live/{livestream.StreamKey}";

    private async Task<JsonElement> NodesAsync(string node, string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, _nodes[node].HttpBase + "/cluster/nodes");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").Clone();
    }

    private async Task<JsonElement> OperatorNodesAsync(string node)
    {
        using var http = new HttpClient();
        string body = await http.GetStringAsync($"http://127.0.0.1:{_nodes[node].MetricsPort}/cluster/nodes");
        return JsonDocument.Parse(body).RootElement.GetProperty("data").Clone();
    }

    private static List<string> StreamsOn(JsonElement nodes, string node) =>
        nodes.EnumerateArray().Where(n => n.GetProperty("id").GetString() == node).SelectMany(n => n.GetProperty("streams").EnumerateArray().Select(s => s.GetString()!)).ToList();

    private static async Task<HttpResponseMessage> OfferAsync(HttpClient http, string url, string offer, string? bearer = null, string? forgedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(offer, Encoding.UTF8, "application/sdp") };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (forgedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forgedFor);
        }

        return await http.SendAsync(request);
    }
}
