using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Rooms;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>The realtime channel with real WebSocket clients: peers, chat, polls, kicks, permissions and limits.</summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)]
public sealed class RealtimeChannelTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task TwoParticipantsSeeEachOtherChatAndVote()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var alice = await api.AddParticipantAsync(meeting, "alice", "group_call_host", "Alice");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant", "Bob");

        var (a, aJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, alice);
        await using var _ = a;
        Assert.Empty(aJoined.GetProperty("peers").EnumerateArray());
        Assert.Equal(alice.Id, aJoined.GetProperty("self").GetProperty("user_id").GetString());
        Assert.True(aJoined.GetProperty("permissions").GetProperty("can_livestream").GetBoolean());
        string sessionId = aJoined.GetProperty("meeting").GetProperty("session_id").GetString()!;

        var (b, bJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, bob);
        await using var __ = b;
        var alicePeer = Assert.Single(bJoined.GetProperty("peers").EnumerateArray());
        Assert.Equal(aJoined.GetProperty("peer_id").GetString(), alicePeer.GetProperty("id").GetString());
        Assert.Equal("Alice", alicePeer.GetProperty("name").GetString());
        Assert.Equal(sessionId, bJoined.GetProperty("meeting").GetProperty("session_id").GetString());
        var joined = await a.WaitForEventAsync("peer_joined");
        Assert.Equal("Bob", joined.GetProperty("peer").GetProperty("name").GetString());
        Assert.Equal("bob", joined.GetProperty("peer").GetProperty("custom_participant_id").GetString());

        var active = (await api.GetAsync($"/meetings/{meeting}/active-session")).EnsureOk().Data;
        Assert.Equal(sessionId, active.GetProperty("id").GetString());
        Assert.Equal(("LIVE", 2L, 2L, meeting), (active.GetProperty("status").GetString(), active.GetProperty("live_participants").GetInt64(),
            active.GetProperty("max_concurrent_participants").GetInt64(), active.GetProperty("associated_id").GetString()));

        // Chat reaches everyone, the sender too.
        var sent = await b.OkAsync("chat_send", new { text = "hello, \"world\"" });
        foreach (var client in new[] { a, b })
        {
            var chat = await client.WaitForEventAsync("chat_message");
            Assert.Equal("hello, \"world\"", chat.GetProperty("message").GetProperty("text").GetString());
            Assert.Equal(bob.Id, chat.GetProperty("message").GetProperty("user_id").GetString());
            Assert.Equal(sent.GetProperty("message").GetProperty("id").GetString(), chat.GetProperty("message").GetProperty("id").GetString());
        }

        // A private message: the export names whom it was for.
        await a.OkAsync("chat_send", new { text = "psst", to = new[] { bJoined.GetProperty("peer_id").GetString() } });
        await b.WaitForEventAsync("chat_message", m => m.GetProperty("message").GetProperty("text").GetString() == "psst");

        // A poll: created by the host, one vote per participant, results pushed to all.
        var poll = (await a.OkAsync("poll_create", new { question = "Lunch?", options = new[] { "pizza", "sushi" } })).GetProperty("poll");
        string pollId = poll.GetProperty("id").GetString()!;
        await b.WaitForEventAsync("poll_updated", m => m.GetProperty("poll").GetProperty("id").GetString() == pollId);
        await b.OkAsync("poll_vote", new { poll_id = pollId, option = 1 });
        var twice = await b.RequestAsync("poll_vote", new { poll_id = pollId, option = 0 });
        Assert.Equal(("error", 409), (twice.GetProperty("type").GetString(), twice.GetProperty("code").GetInt32()));
        await a.OkAsync("poll_vote", new { poll_id = pollId, option = 1 });
        var results = await a.WaitForEventAsync("poll_updated", m => Count(m, 1) == 2);
        Assert.Equal(0, Count(results, 0));
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(), results.GetProperty("poll").GetProperty("options")[1].GetProperty("votes").EnumerateArray()
            .Select(v => v.GetProperty("id").GetString()).Order());
        await b.WaitForEventAsync("poll_updated", m => Count(m, 1) == 2);

        // A poll from the API reaches the channel too.
        var created = await api.PostAsync($"/meetings/{meeting}/active-session/poll", """{"question":"Again?","options":["yes","no"],"anonymous":true}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("create-poll", created.Data.GetProperty("action").GetString());
        await b.WaitForEventAsync("poll_updated", m => m.GetProperty("poll").GetProperty("question").GetString() == "Again?");

        // Bob leaves cleanly: Alice sees it at once.
        await b.OkAsync("leave");
        Assert.Equal(WebSocketCloseStatus.NormalClosure, await b.WaitForCloseAsync());
        var left = await a.WaitForEventAsync("peer_left");
        Assert.Equal(("left", bob.Id), (left.GetProperty("reason").GetString(), left.GetProperty("user_id").GetString()));

        // The session keeps who was there and what was said.
        var participants = (await api.GetAsync($"/sessions/{sessionId}/participants")).EnsureOk().Data.GetProperty("participants").EnumerateArray().ToList();
        Assert.Equal(["alice", "bob"], participants.Select(p => p.GetProperty("custom_participant_id").GetString()));
        Assert.Equal(JsonValueKind.Null, participants[0].GetProperty("left_at").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, participants[1].GetProperty("left_at").ValueKind);
        Assert.True(participants[1].GetProperty("duration").GetDouble() >= 0);
        var bobRow = (await api.GetAsync($"/sessions/{sessionId}/participants/{bob.Id}")).EnsureOk().Data.GetProperty("participant");
        Assert.Equal("Bob", bobRow.GetProperty("display_name").GetString());

        var download = (await api.GetAsync($"/sessions/{sessionId}/chat")).EnsureOk().Data;
        string url = download.GetProperty("chat_download_url").GetString()!;
        Assert.True(download.GetProperty("chat_download_url_expiry").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(50));
        string csv = await server.Http.GetStringAsync(url);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,participantId,sessionId,meetingId,displayName,pinned,isEdited,payloadType,payload,createdAt,targetUserIds", lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.Contains($",{bob.Id},{sessionId},{meeting},Bob,false,false,text,\"hello, \"\"world\"\"\",", lines[1]);
        Assert.EndsWith("Z,", lines[1], StringComparison.Ordinal); // to everyone: no recipients
        Assert.Contains($",{alice.Id},{sessionId},{meeting},Alice,false,false,text,psst,", lines[2]);
        Assert.EndsWith($"Z,{bob.Id};{alice.Id}", lines[2], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await server.Http.GetAsync(url.Replace("signature=", "signature=x"))).StatusCode);
    }

    [Fact]
    public async Task KickClosesTheSocketWithAReasonAndKickAllEndsTheSession()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host");
        var guest = await api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        var (h, hJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _ = h;
        var (g, _) = await MeetingHelpers.JoinAsync(server.HttpBase, guest);
        await using var __ = g;

        var nobody = await api.PostAsync($"/meetings/{meeting}/active-session/kick", """{"custom_participant_ids":["stranger"]}""");
        Assert.Equal(HttpStatusCode.NotFound, nobody.Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.PostAsync($"/meetings/{meeting}/active-session/kick", "{}")).Status);

        var kicked = (await api.PostAsync($"/meetings/{meeting}/active-session/kick", """{"custom_participant_ids":["guest"]}""")).EnsureOk().Data;
        Assert.Equal("guest", kicked.GetProperty("participants")[0].GetProperty("custom_participant_id").GetString());
        var message = await g.WaitForEventAsync("kicked");
        Assert.Equal("kicked by the host", message.GetProperty("reason").GetString());
        Assert.Equal((WebSocketCloseStatus)4001, await g.WaitForCloseAsync());
        Assert.Equal("kicked", (await h.WaitForEventAsync("peer_left")).GetProperty("reason").GetString());

        string sessionId = hJoined.GetProperty("meeting").GetProperty("session_id").GetString()!;
        var all = (await api.PostAsync($"/meetings/{meeting}/active-session/kick-all")).EnsureOk().Data;
        Assert.Equal(1, all.GetProperty("kicked_participants_count").GetInt32());
        await h.WaitForEventAsync("kicked");
        Assert.Equal((WebSocketCloseStatus)4001, await h.WaitForCloseAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/meetings/{meeting}/active-session")).Status);
        var session = (await api.GetAsync($"/sessions/{sessionId}")).EnsureOk().Data;
        Assert.Equal("ENDED", session.GetProperty("status").GetString());
        Assert.Equal("all participants were kicked", session.GetProperty("end_reason").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsync($"/meetings/{meeting}/active-session/kick-all")).Status);

        // Joining again starts a new session.
        var (again, rejoined) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var ___ = again;
        Assert.NotEqual(sessionId, rejoined.GetProperty("meeting").GetProperty("session_id").GetString());
    }

    [Fact]
    public async Task PresetsDecideWhatAPeerMayDo()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "webinar_host");
        var viewer = await api.AddParticipantAsync(meeting, "viewer", "webinar_viewer");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var (v, vJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, viewer);
        await using var _v = v;
        // A viewer may publish only on the stage, which it is not on: the channel says so in its own words (no preset internals).
        var may = vJoined.GetProperty("permissions");
        Assert.Equal((true, true, "CAN_REQUEST", "OFF_STAGE"), (may.GetProperty("can_produce_video").GetBoolean(), may.GetProperty("stage_enabled").GetBoolean(),
            may.GetProperty("stage_access").GetString(), vJoined.GetProperty("self").GetProperty("stage_status").GetString()));
        Assert.DoesNotContain(may.EnumerateObject(), p => p.Name.StartsWith("may_") || p.Name.Contains("spotlight") || p.Name.Contains("disable_"));

        var unmute = await v.RequestAsync("peer_update", new { audio_enabled = true });
        Assert.Equal(403, unmute.GetProperty("code").GetInt32());
        var poll = await v.RequestAsync("poll_create", new { question = "q", options = new[] { "a", "b" } });
        Assert.Equal(403, poll.GetProperty("code").GetInt32());
        await v.OkAsync("chat_send", new { text = "viewers may chat" });
        await h.WaitForEventAsync("chat_message");

        // A host may unmute, but what a peer publishes is what flows: nothing yet (MeetingMediaBrowserTests sends media).
        await h.OkAsync("peer_update", new { video_enabled = true, name = "The Host" });
        var updated = await v.WaitForEventAsync("peer_updated");
        Assert.False(updated.GetProperty("peer").GetProperty("video_enabled").GetBoolean());
        Assert.Equal("The Host", updated.GetProperty("peer").GetProperty("name").GetString());
    }

    [Fact]
    public async Task HiddenParticipantsAreInNoPeerList()
    {
        var api = await server.NewTenantAsync();
        await api.PostAsync("/presets", """{"name":"recorder","permissions":{"hidden_participant":true}}""");
        string meeting = await api.CreateMeetingAsync();
        var visible = await api.AddParticipantAsync(meeting, "visible");
        var hidden = await api.AddParticipantAsync(meeting, "hidden", "recorder");
        var (a, _) = await MeetingHelpers.JoinAsync(server.HttpBase, visible);
        await using var _a = a;
        var (b, _) = await MeetingHelpers.JoinAsync(server.HttpBase, hidden);
        await using var _b = b;
        var (c, cJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "third"));
        await using var _c = c;
        Assert.Equal(["visible"], cJoined.GetProperty("peers").EnumerateArray().Select(p => p.GetProperty("custom_participant_id").GetString()));
        Assert.Equal("third", (await a.WaitForEventAsync("peer_joined")).GetProperty("peer").GetProperty("custom_participant_id").GetString());
    }

    [Fact]
    public async Task BadMessagesAreAnsweredAndOversizedOnesCloseTheSocket()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var participant = await api.AddParticipantAsync(meeting, "p");
        await using var client = await RealtimeTestClient.ConnectAsync(server.HttpBase, participant.Token);

        var early = await client.RequestAsync("chat_send", new { text = "too soon" });
        Assert.Equal((409, "send join first"), (early.GetProperty("code").GetInt32(), early.GetProperty("message").GetString()));
        await client.OkAsync("join");
        Assert.Equal("pong", (await client.RequestAsync("ping")).GetProperty("type").GetString());
        Assert.Equal(400, (await client.RequestAsync("dance")).GetProperty("code").GetInt32());
        var missing = await client.RequestAsync("chat_send");
        Assert.Equal("BAD_REQUEST: \"text\" is required", missing.GetProperty("message").GetString());
        await client.SendRawAsync("{not json");
        Assert.Equal(400, (await client.WaitForEventAsync("error")).GetProperty("code").GetInt32());

        await client.SendRawAsync(new string('x', 20_000));
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task APrivateMessageGoesToTheNamedPeersOnlyAndNamesAtMostAHundred()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var (a, aJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "alice", "group_call_host", "Alice"));
        await using var __ = a;
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_host", "Bob");
        var (b, bJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, bob);
        await using var ___ = b;
        var (c, _) = await MeetingHelpers.JoinAsync(server.HttpBase, await api.AddParticipantAsync(meeting, "carol", "group_call_host", "Carol"));
        await using var ____ = c;
        string bobPeer = bJoined.GetProperty("peer_id").GetString()!;

        await a.OkAsync("chat_send", new { text = "psst", to = new[] { bobPeer } });
        var heard = (await b.WaitForEventAsync("chat_message")).GetProperty("message");
        Assert.Equal(("psst", 2), (heard.GetProperty("text").GetString(), heard.GetProperty("target_user_ids").GetArrayLength()));

        // A list the room would refuse is refused before it is matched against the peers: 100 besides Bob are too many.
        var tooMany = await a.RequestAsync("chat_send", new { text = "all of you", to = new[] { bobPeer }.Concat(Enumerable.Range(0, 100).Select(i => $"peer-{i}")) });
        Assert.Equal((400, "BAD_REQUEST: \"to\" must have 1 to 100 items"), (tooMany.GetProperty("code").GetInt32(), tooMany.GetProperty("message").GetString()));
        var toNobody = await a.RequestAsync("chat_send", new { text = "me, myself", to = new[] { aJoined.GetProperty("peer_id").GetString(), "nobody" } }); // only herself
        Assert.Equal(400, toNobody.GetProperty("code").GetInt32());

        await a.OkAsync("chat_send", new { text = "hello all" });
        await c.WaitForEventAsync("chat_message", m => m.GetProperty("message").GetProperty("text").GetString() == "hello all");
        Assert.DoesNotContain(c.Seen, m => m.GetProperty("type").GetString() == "chat_message" && m.GetProperty("message").GetProperty("text").GetString() != "hello all");
        Assert.DoesNotContain(b.Seen, m => m.GetProperty("type").GetString() == "chat_message" && m.GetProperty("message").GetProperty("text").GetString() is "all of you" or "me, myself");
    }

    [Fact]
    public async Task ASilentSocketThatNeverJoinsIsClosedAndBinaryIsRefused()
    {
        // 3 s: on a busy machine a binary frame sent at once was once read after a 1 s timeout had closed its socket.
        var own = await ServerFixture.StartAsync(["--set", "Stagecast:Realtime:JoinTimeout=00:00:03"]);
        await using var _ = own.AsAsyncDisposable();
        var api = await own.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var participant = await api.AddParticipantAsync(meeting, "quiet");
        await using var quiet = await RealtimeTestClient.ConnectAsync(own.HttpBase, participant.Token);
        Assert.Equal((WebSocketCloseStatus)4008, await quiet.WaitForCloseAsync(TimeSpan.FromSeconds(20)));

        await using var binary = await RealtimeTestClient.ConnectAsync(own.HttpBase, participant.Token);
        await binary.SendRawAsync([1, 2, 3], WebSocketMessageType.Binary);
        Assert.Equal(WebSocketCloseStatus.InvalidMessageType, await binary.WaitForCloseAsync());
    }

    [Fact]
    public async Task InactiveMeetingsRefuseJoinsAndDeactivatingEndsTheSession()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var participant = await api.AddParticipantAsync(meeting, "p");
        var (client, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, participant);
        await using var _ = client;
        string sessionId = joined.GetProperty("meeting").GetProperty("session_id").GetString()!;

        await api.SendAsync(HttpMethod.Patch, $"/meetings/{meeting}", """{"status":"INACTIVE"}""");
        Assert.Equal("the meeting was made inactive", (await client.WaitForEventAsync("kicked")).GetProperty("reason").GetString());
        await client.WaitForCloseAsync();
        Assert.Equal("ENDED", (await api.GetAsync($"/sessions/{sessionId}")).EnsureOk().Data.GetProperty("status").GetString());

        await using var refused = await RealtimeTestClient.ConnectAsync(server.HttpBase, participant.Token);
        var answer = await refused.RequestAsync("join");
        Assert.Equal((403, "the meeting is inactive"), (answer.GetProperty("code").GetInt32(), answer.GetProperty("message").GetString()));
        Assert.Equal((WebSocketCloseStatus)4003, await refused.WaitForCloseAsync());
    }

    [Fact]
    public async Task DeletingAParticipantClosesItsSockets()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var participant = await api.AddParticipantAsync(meeting, "doomed");
        var (client, _) = await MeetingHelpers.JoinAsync(server.HttpBase, participant);
        await using var _c = client;
        await api.SendAsync(HttpMethod.Delete, $"/meetings/{meeting}/participants/{participant.Id}");
        Assert.Equal("the participant was removed from the meeting", (await client.WaitForEventAsync("kicked")).GetProperty("reason").GetString());
        Assert.Equal((WebSocketCloseStatus)4001, await client.WaitForCloseAsync());
    }

    [Fact]
    public async Task AReconnectingClientKeepsItsPeerIdUnseenByTheOthers()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var stayer = await api.AddParticipantAsync(meeting, "stayer");
        var mover = await api.AddParticipantAsync(meeting, "mover");
        var (s, _) = await MeetingHelpers.JoinAsync(server.HttpBase, stayer);
        await using var _s = s;
        var (m, mJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, mover);
        string peerId = mJoined.GetProperty("peer_id").GetString()!;
        await s.WaitForEventAsync("peer_joined");

        m.Abort(); // the network drops
        await m.DisposeAsync();
        var room = server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!;
        await Eventually.TrueAsync(() => room.Peers.Single(p => p.Id == peerId).Client is null, "the server to notice the drop");
        var (back, rejoined) = await MeetingHelpers.JoinAsync(server.HttpBase, mover, new { peer_id = peerId });
        await using var _b = back;
        Assert.Equal(peerId, rejoined.GetProperty("peer_id").GetString());
        Assert.True(rejoined.GetProperty("resumed").GetBoolean());

        // A second socket taking the same peer over replaces the first.
        var (third, again) = await MeetingHelpers.JoinAsync(server.HttpBase, mover, new { peer_id = peerId });
        await using var _t = third;
        Assert.Equal(peerId, again.GetProperty("peer_id").GetString());
        Assert.Equal((WebSocketCloseStatus)4000, await back.WaitForCloseAsync());

        await s.OkAsync("chat_send", new { text = "still here?" });
        await third.WaitForEventAsync("chat_message");
        Assert.DoesNotContain(s.Seen, e => e.GetProperty("type").GetString() == "peer_left");
        var peers = (await api.GetAsync($"/sessions/{mJoined.GetProperty("meeting").GetProperty("session_id").GetString()}/participants")).EnsureOk()
            .Data.GetProperty("participants").EnumerateArray().ToList();
        Assert.Equal(2, peers.Count); // one presence for the mover, not three
    }

    [Fact]
    public async Task AClientThatWentWithoutLeavingAndComesBackWithoutItsPeerIdIsStillOnePeer()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var stayer = await api.AddParticipantAsync(meeting, "stayer");
        var mover = await api.AddParticipantAsync(meeting, "mover");
        var (s, _) = await MeetingHelpers.JoinAsync(server.HttpBase, stayer);
        await using var _s = s;
        var (m, mJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, mover);
        string peerId = mJoined.GetProperty("peer_id").GetString()!;
        await s.WaitForEventAsync("peer_joined");

        // The browser closes without leaving; opened again, it joins with the same token and no peer id.
        m.Abort();
        await m.DisposeAsync();
        var room = server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!;
        await Eventually.TrueAsync(() => room.Peers.Single(p => p.Id == peerId).Client is null, "the server to notice the drop");
        var (back, rejoined) = await MeetingHelpers.JoinAsync(server.HttpBase, mover);
        await using var _b = back;
        Assert.Equal((peerId, true), (rejoined.GetProperty("peer_id").GetString(), rejoined.GetProperty("resumed").GetBoolean()));
        Assert.Single(room.Peers, p => p.Participant.Id == mover.Id);

        // The others never saw it twice (nor leave); a second tab opened beside it is a peer of its own.
        await s.OkAsync("chat_send", new { text = "one of you?" });
        await back.WaitForEventAsync("chat_message");
        Assert.Single(s.Seen, e => e.GetProperty("type").GetString() == "peer_joined");
        Assert.DoesNotContain(s.Seen, e => e.GetProperty("type").GetString() == "peer_left");
        var (tab, tabJoined) = await MeetingHelpers.JoinAsync(server.HttpBase, mover);
        await using var _t = tab;
        Assert.NotEqual(peerId, tabJoined.GetProperty("peer_id").GetString());
        Assert.Equal(2, room.Peers.Count(p => p.Participant.Id == mover.Id));
    }

    private static int Count(JsonElement message, int option) =>
        message.GetProperty("poll").GetProperty("options")[option].GetProperty("count").GetInt32();
}
