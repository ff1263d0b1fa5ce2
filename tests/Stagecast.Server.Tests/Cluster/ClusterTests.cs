using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Rtmp.Client;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Server.Tests.RealtimeKit;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Server.Tests.Cluster;

/// <summary>
/// Three nodes as separate processes on one PostgreSQL and one Redis (both real, started here), with an nginx edge
/// built from deploy/edge/nginx.conf: any node serves any stream, an edge collapses players' requests, nodes die.
/// </summary>
[Collection(HeavyCollection.Name)]
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class ClusterTests : IAsyncLifetime
{
    private const string Account = "cluster-account";
    private const string App = "cluster-app";
    private const string Token = "sct_cluster_test_token_0123456789abcdefgh";
    private const string RealtimeKitBase = "rtk.test";
    private RedisServer _redis = null!;
    private string _database = null!;
    private readonly Dictionary<string, ServerProcess> _nodes = [];

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        foreach (string id in new[] { "A", "B", "C" })
        {
            _nodes[id] = await StartNodeAsync(id);
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
    public async Task AStreamPublishedToOneNodePlaysThroughTheEdgeFromTheOthersAndSurvivesAnEdgeUpstreamDying()
    {
        var api = Api("A");
        var livestream = await api.CreateLivestreamAsync("cluster");
        await using var publisher = Ffmpeg.Publish(PublishUrl("A", livestream), Ffmpeg.AudioVideo(120, "320x180"));
        await api.WaitForStatusAsync(livestream.Id, "LIVE");

        // B and C answer for A's stream with the same playlists: one packager, forwarded to.
        string path = $"/{livestream.Id}/manifest/video.m3u8";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await Eventually.TrueAsync(async () => (await http.GetAsync(_nodes["B"].HttpBase + path)).IsSuccessStatusCode, "B to serve A's stream");
        string media = MediaPlaylistPath(await http.GetStringAsync(_nodes["B"].HttpBase + path), path);
        var open = ParsedPlaylist.Parse(await http.GetStringAsync(_nodes["C"].HttpBase + media)).Segments[^1];
        string blocking = $"{media}?_HLS_msn={open.Msn + 1}&_HLS_part=0";
        var fromB = http.GetStringAsync(_nodes["B"].HttpBase + blocking);
        var fromC = http.GetStringAsync(_nodes["C"].HttpBase + blocking);
        // Both wait for the same part of A's one packager; the request that reaches A a moment later may be answered with
        // a part more, so the shorter playlist (up to its preload hint) begins the longer.
        var answers = new[] { await fromB, await fromC }.Select(p => p[..p.IndexOf("#EXT-X-PRELOAD-HINT", StringComparison.Ordinal)]).OrderBy(p => p.Length).ToList();
        Assert.Contains($"#EXT-X-MEDIA-SEQUENCE:", answers[0]);
        Assert.StartsWith(answers[0], answers[1], StringComparison.Ordinal);
        Assert.Contains(livestream.Id, await NodeStreamsAsync("A"));

        // WHEP asked of C: the signalling is forwarded to A (the session and its resource live there), media flows.
        await using (var viewer = await WhepClient.ConnectAsync(http, $"{_nodes["C"].HttpBase}/{livestream.Id}/whep", DtlsCertificate.Create(TimeProvider.System)))
        {
            await Eventually.TrueAsync(() => viewer.VideoPackets > 20, "video at a WHEP viewer that asked C");
            Assert.Equal(HttpStatusCode.OK, (await http.DeleteAsync(_nodes["C"].HttpBase + viewer.Location)).StatusCode);
        }

        await using var edge = await EdgeCache.StartNginxAsync(_nodes["B"].HttpPort, _nodes["C"].HttpPort);
        var probed = await Ffmpeg.ProbeAsync(edge.Url + path);
        Assert.Contains(probed, s => s.Codec == "h264" && s.Width == 320);

        // 20 LL-HLS players behind the edge: each part reaches the origin once, however many players fetch it.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        var players = Enumerable.Range(0, 20).Select(_ => LowLatencyPlayer.PlayAsync(edge.Url + path, stop.Token)).ToList();
        int[] parts = await Task.WhenAll(players);
        Assert.All(parts, p => Assert.True(p >= 5, $"a player got only {p} parts: {string.Join(", ", parts)}"));
        var misses = edge.OriginFetches().Where(f => f.Key.Contains(".m4s", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(misses);
        Assert.All(misses, f => Assert.True(f.Value == 1, $"{f.Key} went to the origin {f.Value} times"));

        // B dies: the edge's players carry on through C.
        _nodes["B"].Process.Kill();
        using var after = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        Assert.True(await LowLatencyPlayer.PlayAsync(edge.Url + path, after.Token) >= 3);
    }

    [Fact]
    public async Task WhenTheOwnerDiesThePublisherReconnectingToAnotherNodeGetsANewEpochAndTheOldSessionIsClosed()
    {
        var api = Api("A");
        var livestream = await api.CreateLivestreamAsync("failover");
        var first = Ffmpeg.Publish(PublishUrl("A", livestream), Ffmpeg.AudioVideo(120, "320x180"));
        await api.WaitForStatusAsync(livestream.Id, "LIVE");
        string firstOwner = (await _redis.GetAsync($"stagecast:stream:{livestream.Id}:owner"))!;
        Assert.StartsWith("A|", firstOwner);

        // The same key on C while A holds the lease: refused.
        await using (var rival = Ffmpeg.Publish(PublishUrl("C", livestream), Ffmpeg.AudioVideo(10, "320x180")))
        {
            Assert.NotEqual(0, await rival.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        Assert.DoesNotContain(livestream.Id, await NodeStreamsAsync("C"));

        _nodes["A"].Process.Kill();
        await first.DisposeAsync();
        // The encoder retries on C, as OBS does: refused while A's lease lives, accepted once it has expired.
        var publishers = new List<ExternalProcess>();
        await Eventually.TrueAsync(async () =>
        {
            if (publishers.Count == 0 || publishers[^1].HasExited)
            {
                publishers.Add(Ffmpeg.Publish(PublishUrl("C", livestream), Ffmpeg.AudioVideo(120, "320x180")));
            }

            return (await NodeStreamsAsync("C")).Contains(livestream.Id);
        }, "C to own the stream", TimeSpan.FromSeconds(40));
        var onC = Api("C");
        // Its epoch is newer; A's session is closed by a live node.
        string secondOwner = (await _redis.GetAsync($"stagecast:stream:{livestream.Id}:owner"))!;
        Assert.StartsWith("C|", secondOwner);
        Assert.True(Epoch(secondOwner) > Epoch(firstOwner), $"{secondOwner} after {firstOwner}");
        await onC.WaitForStatusAsync(livestream.Id, "LIVE");
        var sessions = await Eventually.MatchAsync(() => onC.GetLivestreamAsync(livestream.Id),
            d => SessionsOf(d).Count == 2 && SessionsOf(d).Count(s => s.GetProperty("stopped_time").ValueKind == JsonValueKind.Null) == 1,
            "two sessions, the first closed", TimeSpan.FromSeconds(30));
        var closed = SessionsOf(sessions).Single(s => s.GetProperty("stopped_time").ValueKind != JsonValueKind.Null);
        Assert.Contains("stopped", closed.GetProperty("err_message").GetString());
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () => (await http.GetAsync($"{_nodes["B"].HttpBase}/{livestream.Id}/manifest/video.m3u8")).IsSuccessStatusCode,
            "the stream to play again, from B");
        foreach (var publisher in publishers)
        {
            await publisher.DisposeAsync();
        }
    }

    [Fact]
    public async Task EveryNodeShowsALivestreamsStateAndSessionsInAgreementWhileItGoesLiveAndIdleOnOne()
    {
        const int goLives = 30;
        var livestream = await Api("A").CreateLivestreamAsync("flapping");
        var ingest = $"rtmp://127.0.0.1:{_nodes["A"].RtmpPort}/live";
        await using (var probe = new LivestreamConsistencyProbe(livestream.Id, Api("A"), Api("B"), Api("C")))
        {
            for (int i = 0; i < goLives; i++)
            {
                await using var publisher = await RtmpPublishClient.ConnectAsync(new Uri(ingest), CancellationToken.None);
                await publisher.PublishAsync(ingest, "live", livestream.StreamKey, CancellationToken.None);
                await publisher.SendVideoAsync(0, FlvBodies.AvcSequenceHeader(GoldenVectors.AvcRecord720p), CancellationToken.None);
                await Api("B").WaitForStatusAsync(livestream.Id, "LIVE");
                await publisher.UnpublishAsync(CancellationToken.None);
                await Api("C").WaitForStatusAsync(livestream.Id, "IDLE");
            }

            await probe.ReadAgainAsync();
            Assert.True(probe.LiveAnswers > 0 && probe.SessionsSeen == goLives, $"the probe saw {probe.LiveAnswers} LIVE answers and {probe.SessionsSeen} sessions");
            Assert.Empty(probe.Disagreements);
        }
    }

    [Fact]
    public async Task TheSameKeyPublishedToTwoNodesAtOnceHasOneWinner()
    {
        var livestream = await Api("A").CreateLivestreamAsync("race");
        await using var onA = Ffmpeg.Publish(PublishUrl("A", livestream), Ffmpeg.AudioVideo(60, "320x180"));
        await using var onC = Ffmpeg.Publish(PublishUrl("C", livestream), Ffmpeg.AudioVideo(60, "320x180"));

        // The loser is refused (its ffmpeg gives up); the winner holds the lease and is the only node with the stream.
        await Eventually.TrueAsync(() => Task.FromResult(onA.HasExited || onC.HasExited), "one publisher to be refused");
        string winner = onA.HasExited ? "C" : "A", loser = winner == "A" ? "C" : "A";
        await Api(winner).WaitForStatusAsync(livestream.Id, "LIVE");
        Assert.False((winner == "A" ? onA : onC).HasExited);
        Assert.StartsWith(winner + "|", await _redis.GetAsync($"stagecast:stream:{livestream.Id}:owner"));
        await Eventually.TrueAsync(async () => (await NodeStreamsAsync(winner)).Contains(livestream.Id), "the winner's heartbeat to list the stream");
        Assert.DoesNotContain(livestream.Id, await NodeStreamsAsync(loser));
    }

    [Fact]
    public async Task KeysAreSharedSoATokenIssuedByOneNodeWorksOnAnotherAndClusterNodesListsAllThree()
    {
        var nodes = await ClusterNodesAsync();
        Assert.Equal(["A", "B", "C"], nodes.EnumerateArray().Select(n => n.GetProperty("id").GetString()).Order());
        Assert.Equal(HttpStatusCode.Unauthorized, (await new HttpClient().GetAsync(_nodes["B"].HttpBase + "/cluster/nodes")).StatusCode);

        // A participant token made on A opens the realtime channel on C; webhook signatures verify with any node's key.
        var a = Api("A");
        string meeting = await a.CreateMeetingAsync();
        var participant = await a.AddParticipantAsync(meeting, "roamer");
        var (client, joined) = await MeetingHelpers.JoinAsync(_nodes["C"].HttpBase, participant);
        await using var _ = client;
        Assert.Equal("roamer", joined.GetProperty("self").GetProperty("custom_participant_id").GetString());
        using var http = new HttpClient();
        string keyA = await http.GetStringAsync(_nodes["A"].HttpBase + "/.well-known/webhooks.json");
        Assert.Equal(keyA, await http.GetStringAsync(_nodes["C"].HttpBase + "/.well-known/webhooks.json"));
        Assert.Equal("ok\n", await http.GetStringAsync(_nodes["B"].HttpBase + "/healthz"));
    }

    [Fact]
    public async Task ParticipantsOfOneMeetingOnThreeNodesSeeEachOtherChatInOrderAndHearOfItsLivestream()
    {
        var api = Api("A");
        string meeting = await api.CreateMeetingAsync();
        var clients = new List<RealtimeTestClient>();
        try
        {
            foreach (string node in new[] { "B", "A", "C" })
            {
                var (client, _) = await MeetingHelpers.JoinAsync(_nodes[node].HttpBase, await api.AddParticipantAsync(meeting, "on-" + node));
                clients.Add(client);
            }

            // The room lives on B, the node the first participant reached; A and C forward their channels there.
            foreach (var client in clients.Take(2))
            {
                await client.WaitForEventAsync("peer_joined", m => m.GetProperty("peer").GetProperty("custom_participant_id").GetString() == "on-C");
            }

            foreach (var client in clients)
            {
                await client.OkAsync("chat_send", new { text = "from " + clients.IndexOf(client) });
            }

            foreach (var client in clients)
            {
                await client.WaitForEventAsync("chat_message", m => m.GetProperty("message").GetProperty("text").GetString() == "from 2");
                var texts = client.Seen.Where(m => m.GetProperty("type").GetString() == "chat_message")
                    .Select(m => m.GetProperty("message").GetProperty("text").GetString()).ToList();
                Assert.Equal(["from 0", "from 1", "from 2"], texts);
            }

            // The API on C starts the meeting's livestream (forwarded to B); everyone hears of it.
            var started = await Api("C").PostAsync($"/meetings/{meeting}/livestreams", """{"name":"across","manual_ingest":true}""");
            Assert.Equal(HttpStatusCode.Created, started.Status);
            foreach (var client in clients)
            {
                Assert.Equal(started.Data.GetProperty("id").GetString(),
                    (await client.WaitForEventAsync("livestream_invoked")).GetProperty("livestream").GetProperty("id").GetString());
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task BreakoutRoomsLiveWhereTheirPeopleArriveAndTheMeetingsNodeStillListsMovesMessagesAndClosesThem()
    {
        var api = Api("A");
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host", "Hana");
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_participant", "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant", "Bob");
        var (h, _) = await MeetingHelpers.JoinAsync(_nodes["A"].HttpBase, host);
        await using var _h = h;
        var (a, _) = await MeetingHelpers.JoinAsync(_nodes["B"].HttpBase, ada);
        await using var _a = a;
        var (b, _) = await MeetingHelpers.JoinAsync(_nodes["C"].HttpBase, bob);
        await using var _b = b;

        // The meeting lives on A; its host makes two rooms there and moves Ada into one, Bob into the other.
        var made = (await h.OkAsync("connected_meetings_create", new { titles = new[] { "Room 1", "Room 2" } })).GetProperty("meetings");
        var (room1, room2) = (made[0].GetProperty("id").GetString()!, made[1].GetProperty("id").GetString()!);
        await h.OkAsync("connected_meetings_move", new { source_meeting_id = meeting, destination_meeting_id = room1, participant_ids = new[] { ada.Id } });
        await h.OkAsync("connected_meetings_move", new { source_meeting_id = meeting, destination_meeting_id = room2, participant_ids = new[] { bob.Id } });
        string adaToken = (await a.WaitForEventAsync("moved")).GetProperty("token").GetString()!;
        string bobToken = (await b.WaitForEventAsync("moved")).GetProperty("token").GetString()!;

        // Each room is made where its first person arrives: Ada's through C, Bob's through B.
        var (a1, adaJoined) = await MeetingHelpers.JoinAsync(_nodes["C"].HttpBase, ada with { Token = adaToken });
        await using var _a1 = a1;
        var (b2, _) = await MeetingHelpers.JoinAsync(_nodes["B"].HttpBase, bob with { Token = bobToken });
        await using var _b2 = b2;
        Assert.StartsWith("C|", await _redis.GetAsync($"stagecast:stream:meeting:{room1}:owner"));
        Assert.StartsWith("B|", await _redis.GetAsync($"stagecast:stream:meeting:{room2}:owner"));
        Assert.StartsWith("A|", await _redis.GetAsync($"stagecast:stream:meeting:{meeting}:owner"));

        // A lists who is in each room (asking B and C); Ada, in hers on C, reads the same (C asks A).
        foreach (var client in new[] { h, a1 })
        {
            var group = await client.OkAsync("connected_meetings");
            Assert.Equal(["Hana"], Names(group.GetProperty("parent_meeting")));
            Assert.Equal(["Ada"], Names(group.GetProperty("meetings").EnumerateArray().Single(m => m.GetProperty("id").GetString() == room1)));
            Assert.Equal(["Bob"], Names(group.GetProperty("meetings").EnumerateArray().Single(m => m.GetProperty("id").GetString() == room2)));
        }

        // A word to both rooms reaches both nodes.
        await h.OkAsync("broadcast_send", new { message_type = "notice", payload = new { text = "five minutes left" }, meeting_ids = new[] { room1, room2 } });
        foreach (var client in new[] { a1, b2 })
        {
            Assert.Equal("five minutes left", (await client.WaitForEventAsync("broadcast_message")).GetProperty("payload").GetProperty("text").GetString());
        }

        // The host moves Ada from room 1 (on C) to room 2 (on B): C sends her, and she joins room 2 through A, which
        // forwards her to B; Bob hears that she is coming.
        string adaInRoom1 = adaJoined.GetProperty("self").GetProperty("user_id").GetString()!;
        await h.OkAsync("connected_meetings_move", new { source_meeting_id = room1, destination_meeting_id = room2, participant_ids = new[] { adaInRoom1 } });
        var adaOn = await a1.WaitForEventAsync("moved");
        Assert.Equal(room2, adaOn.GetProperty("meeting_id").GetString());
        var updated = await b2.WaitForEventAsync("connected_meetings_updated");
        Assert.Equal(["Ada", "Bob"], Names(updated.GetProperty("meetings").EnumerateArray().Single(m => m.GetProperty("id").GetString() == room2)).Order());
        var (a2, _) = await MeetingHelpers.JoinAsync(_nodes["A"].HttpBase, ada with { Token = adaOn.GetProperty("token").GetString()! });
        await using var _a2 = a2;
        Assert.Equal("Ada", (await b2.WaitForEventAsync("peer_joined")).GetProperty("peer").GetProperty("name").GetString());

        // The host closes both rooms: B sends Ada and Bob back with tokens for the meeting, and room 2's session ends
        // at once on B, though the meeting's node closed it.
        await h.OkAsync("connected_meetings_delete", new { meeting_ids = new[] { room1, room2 } });
        var adaBack = await a2.WaitForEventAsync("moved");
        var bobBack = await b2.WaitForEventAsync("moved");
        Assert.Equal((meeting, meeting), (adaBack.GetProperty("meeting_id").GetString(), bobBack.GetProperty("meeting_id").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/meetings/{room2}/active-session")).Status);
        var (again, rejoined) = await MeetingHelpers.JoinAsync(_nodes["C"].HttpBase, bob with { Token = bobBack.GetProperty("token").GetString()! });
        await using var _again = again;
        Assert.Equal((meeting, bob.Id), (rejoined.GetProperty("meeting").GetProperty("id").GetString(), rejoined.GetProperty("self").GetProperty("user_id").GetString()));

        static string[] Names(JsonElement meeting) => [.. meeting.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("name").GetString()!)];
    }

    [Fact]
    public async Task RealtimeKitsSocketAndCallsThroughAnotherNodeReachTheMeetingsNode()
    {
        var api = Api("A");
        string meeting = await api.CreateMeetingAsync();
        var (onA, _) = await MeetingHelpers.JoinAsync(_nodes["A"].HttpBase, await api.AddParticipantAsync(meeting, "on-A"));
        await using var _onA = onA;

        // RealtimeKit's socket reaches C (its host name, socket-edge., kept on the way): it joins the room on A.
        var sdk = await api.AddParticipantAsync(meeting, "rtk-on-C");
        await using var socket = await RealtimeKitSocketClient.ConnectAsync(new Uri(_nodes["C"].HttpBase).Port, null, sdk.Token, domain: RealtimeKitBase);
        RealtimeKitMediaClient.Ok(await socket.RequestAsync(Stagecast.RealtimeKit.RealtimeKitEvents.Room.JoinRoom, new JoinRoomRequest()));
        await onA.WaitForEventAsync("peer_joined", m => m.GetProperty("peer").GetProperty("custom_participant_id").GetString() == "rtk-on-C");

        // Its REST calls through C follow the meeting to A, under their host name, api.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, _nodes["C"].HttpBase + "/v2/internals/participant-details");
        request.Headers.Host = "api." + RealtimeKitBase;
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", sdk.Token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(meeting, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").GetProperty("meeting").GetProperty("id").GetString());
    }

    [Fact]
    public async Task TheSharedOutboxIsDeliveredOnceByThreeNodesAndOnlyADeadNodesClaimsGoAgain()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_nodes["A"].HttpBase);
        var api = Api("A");
        const int Hooks = 16, PerHook = 125;
        for (int i = 0; i < Hooks; i++)
        {
            (await api.PostAsync("/webhooks", JsonSerializer.Serialize(new { name = $"hook-{i}", url = receiver.Url, events = new[] { "meeting.started" } }))).EnsureOk();
        }

        // 2,000 deliveries written straight into the outbox, as if committed by many requests on any node.
        var postgres = await PostgresServer.GetAsync();
        string database = new Uri(_database).AbsolutePath.Trim('/');
        await postgres.PsqlAsync(database,
            "INSERT INTO webhook_events (id, app_id, event, body, created_at) SELECT 'ev-' || w.id || '-' || g, w.app_id, 'meeting.started', " +
            $"convert_to('{{\"event\":\"meeting.started\",\"n\":' || g || '}}', 'UTF8'), 0 FROM webhooks w CROSS JOIN generate_series(1, {PerHook}) g ORDER BY g, w.id; " +
            "INSERT INTO webhook_deliveries (id, webhook_id, event_seq, status, attempts, next_attempt_at, created_at, updated_at) " +
            "SELECT 'd-' || e.id, w.id, e.seq, 'pending', 0, 0, 0, 0 FROM webhook_events e JOIN webhooks w ON e.id LIKE 'ev-' || w.id || '-%'");

        // The nodes pick them up on their next scan (each at most MaxConcurrency webhooks at once, a node keeping a
        // webhook's queue while it has more). The receiver answers nobody until all three hold deliveries in flight.
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Hold = answer.Task;
        await Eventually.TrueAsync(async () => (await ClaimersAsync()).Length == 3, "every node to claim deliveries", TimeSpan.FromSeconds(8));
        answer.SetResult();

        // B dies with deliveries in flight.
        await receiver.WaitForAsync(r => r.Count >= 400, TimeSpan.FromSeconds(60));
        _nodes["B"].Process.Kill();
        var received = await receiver.WaitForAsync(r => r.Select(w => w.Uuid).Distinct().Count() == Hooks * PerHook, TimeSpan.FromSeconds(120));

        Assert.All(received, r => Assert.True(r.SignatureValid));
        int duplicates = received.Count - received.Select(r => r.Uuid).Distinct().Count();
        Assert.True(duplicates <= Hooks, $"{duplicates} deliveries went twice; only B's in-flight ones (at most one per webhook) may");
        // The survivors took the rest. B's own rows may all have been taken over: in one run it had finished none of
        // its claims when it died (its share was shown above, every node holding deliveries at once).
        Assert.Equal(["A", "C"], (await ClaimersAsync()).Where(node => node != "B"));

        async Task<string[]> ClaimersAsync() =>
            (await postgres.PsqlAsync(database, "SELECT string_agg(DISTINCT claimed_by, ',' ORDER BY claimed_by) FROM webhook_deliveries"))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private async Task<ServerProcess> StartNodeAsync(string id) =>
        await ServerProcess.StartAsync(null, new Dictionary<string, string>
        {
            ["STAGECAST_ACCOUNT_ID"] = Account,
            ["STAGECAST_APP_ID"] = App,
            ["STAGECAST_API_TOKEN"] = Token,
        },
            "--database-url", _database, "--redis-url", _redis.Url, "--node-id", id, "--realtimekit-base", RealtimeKitBase,
            "--set", "Stagecast:Cluster:LeaseTime=00:00:04", "--set", "Stagecast:Cluster:RenewInterval=00:00:01", "--reconnect-window", "00:00:02",
            "--webhooks-allow-private", "--set", "Stagecast:Api:RequestsPerSecond=1000000", "--set", "Stagecast:Webhooks:MaxConcurrency=4");

    private StagecastApiClient Api(string node) => new(new HttpClient { BaseAddress = new Uri(_nodes[node].HttpBase) }, Account, App, Token);

    private string PublishUrl(string node, CreatedLivestream livestream) => $"rtmp://127.0.0.1:{_nodes[node].RtmpPort}/live/{livestream.StreamKey}";

    /// <summary>GET /cluster/nodes on B, with the API token.</summary>
    private async Task<JsonElement> ClusterNodesAsync()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, _nodes["B"].HttpBase + "/cluster/nodes");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data").Clone();
    }

    private async Task<IReadOnlyList<string>> NodeStreamsAsync(string node)
    {
        var nodes = await ClusterNodesAsync();
        return nodes.EnumerateArray().Where(n => n.GetProperty("id").GetString() == node)
            .SelectMany(n => n.GetProperty("streams").EnumerateArray().Select(s => s.GetString()!)).ToList();
    }

    private static long Epoch(string owner) => long.Parse(owner.Split('|')[1]);

    private static List<JsonElement> SessionsOf(JsonElement data) => data.GetProperty("sessions").EnumerateArray().ToList();

    private static string MediaPlaylistPath(string multivariant, string path) =>
        new Uri(new Uri("http://x" + path), multivariant.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).AbsolutePath;
}
