using System.Text.Json;
using Stagecast.Server.Features.MeetingSockets;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// Breakout rooms on the realtime channel (stagecast.js's <c>meeting.connectedMeetings</c>) with real WebSocket clients:
/// a host makes rooms, moves a guest into one (the guest is told where with a token of its own there, its socket closes
/// and the token joins the room), sees who is where, sends a message to every room, and closes the rooms, which sends
/// the guest back.
/// </summary>
public sealed class RealtimeConnectedMeetingsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AHostMovesAGuestIntoARoomOnTheChannelAndClosingTheRoomsBringsItBack()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"workshop"}""");
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host", "Hana");
        var guest = await api.AddParticipantAsync(meeting, "guest", "group_call_participant", "Gus");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var (g, _) = await MeetingHelpers.JoinAsync(server.HttpBase, guest);
        await using var _g = g;

        // The host makes two rooms: everyone hears of them; the group lists them, empty.
        var made = (await h.OkAsync("connected_meetings_create", new { titles = new[] { "Room A", "Room B" } })).GetProperty("meetings").EnumerateArray().ToList();
        Assert.Equal(["Room A", "Room B"], made.Select(m => m.GetProperty("title").GetString()));
        string roomA = made[0].GetProperty("id").GetString()!;
        var told = await g.WaitForEventAsync("connected_meetings_created");
        Assert.Equal([roomA, made[1].GetProperty("id").GetString()], told.GetProperty("meetings").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        var group = await g.OkAsync("connected_meetings");
        Assert.Equal((meeting, "workshop"), (group.GetProperty("parent_meeting").GetProperty("id").GetString(), group.GetProperty("parent_meeting").GetProperty("title").GetString()));
        Assert.Equal(["guest", "host"], Members(group.GetProperty("parent_meeting")));
        Assert.All(group.GetProperty("meetings").EnumerateArray(), m => Assert.Empty(Members(m)));

        // The guest may not make rooms or move anyone.
        Assert.Equal(403, (await g.RequestAsync("connected_meetings_create", new { titles = new[] { "mine" } })).GetProperty("code").GetInt32());
        Assert.Equal(403, (await g.RequestAsync("connected_meetings_move", new { source_meeting_id = meeting, destination_meeting_id = roomA, participant_ids = new[] { host.Id } }))
            .GetProperty("code").GetInt32());

        // The host moves the guest into room A: it is told where, with a token there; its socket serves nothing more and
        // closes (4002) a moment later (an answer still due on it goes first).
        await h.OkAsync("connected_meetings_move", new { source_meeting_id = meeting, destination_meeting_id = roomA, participant_ids = new[] { guest.Id } });
        var moved = await g.WaitForEventAsync("moved");
        Assert.Equal(roomA, moved.GetProperty("meeting_id").GetString());
        Assert.Equal(409, (await g.RequestAsync("chat_send", new { text = "still here?" })).GetProperty("code").GetInt32());
        Assert.Equal(MeetingSocketCloseCodes.Moved, await g.WaitForCloseAsync());
        await h.WaitForEventAsync("peer_left", e => e.GetProperty("user_id").GetString() == guest.Id && e.GetProperty("reason").GetString() == "moved");

        // The token joins room A as the guest; the host sees it there.
        var (inRoom, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, guest with { Token = moved.GetProperty("token").GetString()! });
        await using var _inRoom = inRoom;
        Assert.Equal(roomA, joined.GetProperty("meeting").GetProperty("id").GetString());
        var where = await h.WaitForEventAsync("connected_meetings_updated", e => e.GetProperty("meetings").EnumerateArray().Any(m => Members(m).SequenceEqual(["guest"])));
        Assert.Equal(["host"], Members(where.GetProperty("parent_meeting")));

        // The host closes the rooms: everyone hears; the guest is sent back to the main meeting with a token for it.
        var closed = await h.OkAsync("connected_meetings_delete", new { meeting_ids = made.Select(m => m.GetProperty("id").GetString()).ToArray() });
        Assert.Equal(2, closed.GetProperty("meetings").GetArrayLength());
        var back = await inRoom.WaitForEventAsync("moved");
        Assert.Equal(meeting, back.GetProperty("meeting_id").GetString());
        await h.WaitForEventAsync("connected_meetings_deleted");
        var (again, rejoined) = await MeetingHelpers.JoinAsync(server.HttpBase, guest with { Token = back.GetProperty("token").GetString()! });
        await using var _again = again;
        Assert.Equal((meeting, guest.Id), (rejoined.GetProperty("meeting").GetProperty("id").GetString(), rejoined.GetProperty("self").GetProperty("user_id").GetString()));
    }

    [Fact]
    public async Task AMoveDuringAStageRequestAndARecordingWithdrawsTheRequestAndTheRecordingGoesOn()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "webinar_host", "Hana");
        var attendee = await api.AddParticipantAsync(meeting, "attendee", "webinar_viewer", "Ade");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var (a, _) = await MeetingHelpers.JoinAsync(server.HttpBase, attendee);
        await using var _a = a;

        // The meeting is being recorded, and the attendee has asked to go on stage.
        var recording = (await api.PostAsync("/recordings", JsonSerializer.Serialize(new { meeting_id = meeting, video_config = new { width = 320, height = 180 } }))).EnsureOk().Data;
        string recordingId = recording.GetProperty("id").GetString()!;
        await api.WaitForAsync($"/recordings/{recordingId}", r => r.Data.GetProperty("status").GetString() == "RECORDING");
        await a.OkAsync("stage_request");
        Assert.Single((await h.WaitForEventAsync("stage_requests", e => e.GetProperty("requests").GetArrayLength() == 1)).GetProperty("requests").EnumerateArray());

        // Moved into a room, the request goes with the attendee: the host's list is empty again.
        string room = (await h.OkAsync("connected_meetings_create", new { titles = new[] { "Room A" } })).GetProperty("meetings")[0].GetProperty("id").GetString()!;
        await h.OkAsync("connected_meetings_move", new { source_meeting_id = meeting, destination_meeting_id = room, participant_ids = new[] { attendee.Id } });
        var moved = await a.WaitForEventAsync("moved");
        await h.WaitForEventAsync("stage_requests", e => e.GetProperty("requests").GetArrayLength() == 0);

        // In the room it starts off the stage, asking nothing; the main meeting's recording goes on, and the room has none.
        var (inRoom, joined) = await MeetingHelpers.JoinAsync(server.HttpBase, attendee with { Token = moved.GetProperty("token").GetString()! });
        await using var _inRoom = inRoom;
        Assert.Equal("OFF_STAGE", joined.GetProperty("self").GetProperty("stage_status").GetString());
        var recordings = (await api.GetAsync("/recordings")).EnsureOk().Data.EnumerateArray().ToList();
        Assert.Equal((recordingId, meeting, "RECORDING"), Recorded(Assert.Single(recordings)));

        // Back in the main meeting when the room closes: still off the stage, and still recorded.
        await h.OkAsync("connected_meetings_delete", new { meeting_ids = new[] { room } });
        var back = await inRoom.WaitForEventAsync("moved");
        var (again, rejoined) = await MeetingHelpers.JoinAsync(server.HttpBase, attendee with { Token = back.GetProperty("token").GetString()! });
        await using var _again = again;
        Assert.Equal("OFF_STAGE", rejoined.GetProperty("self").GetProperty("stage_status").GetString());
        Assert.Equal((recordingId, meeting, "RECORDING"), Recorded((await api.GetAsync($"/recordings/{recordingId}")).EnsureOk().Data));

        static (string?, string?, string?) Recorded(JsonElement r) =>
            (r.GetProperty("id").GetString(), r.GetProperty("meeting_id").GetString(), r.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AHostMovingItselfWithOthersIsAnsweredBeforeItsSocketCloses()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        string room = (await h.OkAsync("connected_meetings_create", new { titles = new[] { "Room A" } })).GetProperty("meetings")[0].GetProperty("id").GetString()!;

        var answer = await h.RequestAsync("connected_meetings_move", new { source_meeting_id = meeting, destination_meeting_id = room, participant_ids = new[] { host.Id } });

        Assert.Equal("ok", answer.GetProperty("type").GetString());
        Assert.Equal(room, (await h.WaitForEventAsync("moved")).GetProperty("meeting_id").GetString());
        Assert.Equal(MeetingSocketCloseCodes.Moved, await h.WaitForCloseAsync());
    }

    [Fact]
    public async Task AHostsMessageToEveryRoomReachesEveryoneInThemButOnlyAHostSendsOne()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host", "Hana");
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_participant", "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant", "Bob");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;
        var (a, _) = await MeetingHelpers.JoinAsync(server.HttpBase, ada);
        await using var _a = a;
        var (b, _) = await MeetingHelpers.JoinAsync(server.HttpBase, bob);
        await using var _b = b;
        string room = (await h.OkAsync("connected_meetings_create", new { titles = new[] { "Room A" } })).GetProperty("meetings")[0].GetProperty("id").GetString()!;
        await h.OkAsync("connected_meetings_move", new { source_meeting_id = meeting, destination_meeting_id = room, participant_ids = new[] { ada.Id } });
        var (inRoom, _) = await MeetingHelpers.JoinAsync(server.HttpBase, ada with { Token = (await a.WaitForEventAsync("moved")).GetProperty("token").GetString()! });
        await using var _inRoom = inRoom;

        // The host, in the main meeting, sends to both meetings: Ada in the room and Bob beside the host hear it.
        await h.OkAsync("broadcast_send", new { message_type = "notice", payload = new { text = "five minutes left" }, meeting_ids = new[] { meeting, room } });
        foreach (var client in new[] { inRoom, b })
        {
            var heard = await client.WaitForEventAsync("broadcast_message", e => e.GetProperty("message_type").GetString() == "notice");
            Assert.Equal(("five minutes left", host.Id), (heard.GetProperty("payload").GetProperty("text").GetString(), heard.GetProperty("user_id").GetString()));
        }

        // A guest may not; a message names peers or meetings, not both; a meeting outside the group is not found.
        Assert.Equal(403, (await b.RequestAsync("broadcast_send", new { message_type = "notice", payload = new { }, meeting_ids = new[] { room } })).GetProperty("code").GetInt32());
        Assert.Equal(400, (await h.RequestAsync("broadcast_send", new { message_type = "notice", payload = new { }, meeting_ids = new[] { room }, peer_ids = new[] { "x" } }))
            .GetProperty("code").GetInt32());
        Assert.Equal(404, (await h.RequestAsync("broadcast_send", new { message_type = "notice", payload = new { }, meeting_ids = new[] { await api.CreateMeetingAsync() } }))
            .GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task BreakoutRequestsAreCheckedBeforeTheRoomsAreTouched()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host");
        await using var early = await RealtimeTestClient.ConnectAsync(server.HttpBase, host.Token);
        Assert.Equal(409, (await early.RequestAsync("connected_meetings")).GetProperty("code").GetInt32()); // before join
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;

        Assert.Equal(400, (await h.RequestAsync("connected_meetings_create", new { titles = Array.Empty<string>() })).GetProperty("code").GetInt32());
        Assert.Equal(400, (await h.RequestAsync("connected_meetings_create", new { titles = Enumerable.Range(0, 51).Select(i => $"r{i}").ToArray() })).GetProperty("code").GetInt32());
        Assert.Equal(400, (await h.RequestAsync("connected_meetings_move", new { source_meeting_id = meeting })).GetProperty("code").GetInt32());
        Assert.Equal(404, (await h.RequestAsync("connected_meetings_delete", new { meeting_ids = new[] { "no-such-room" } })).GetProperty("code").GetInt32());
        Assert.Empty((await h.OkAsync("connected_meetings")).GetProperty("meetings").EnumerateArray());
    }

    /// <summary>The custom participant ids of who is in a meeting of the group, in order.</summary>
    private static IEnumerable<string> Members(JsonElement meeting) =>
        meeting.GetProperty("participants").EnumerateArray().Select(p => p.GetProperty("custom_participant_id").GetString()!).Order(StringComparer.Ordinal);
}
