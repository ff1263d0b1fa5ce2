using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// RealtimeKit's connected meetings (breakout rooms) on the socket, as the SDK's <c>meeting.connectedMeetings</c> asks:
/// the dump a host's UI kit assigns people from, the rooms it makes, and the moves of people between them.
/// </summary>
public sealed class RealtimeKitConnectedMeetingsTests : RealtimeKitSocketTests
{
    [Fact]
    public async Task TheDumpListsTheMeetingsParticipantsOnceEachByParticipantIdHiddenOnesLeftOut()
    {
        (await Api.PostAsync("/presets", """{"name":"recorder","permissions":{"hidden_participant":true}}""")).EnsureOk();
        string meeting = await Api.CreateMeetingAsync("""{"title":"workshop"}""");
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant", name: "Bob");
        var recorder = await Api.AddParticipantAsync(meeting, "rec", "recorder");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);
        await using var bobSecondTab = await JoinAsync(bob.Token);
        await using var recorderSocket = await JoinAsync(recorder.Token);

        var dump = GetConnectedRoomsDumpResponse.Parser.ParseFrom((await bobSocket.RequestAsync(Events.Room.GetConnectedRoomsDump, ByteString.Empty)).Payload);

        Assert.Equal((meeting, "workshop"), (dump.ParentMeeting.Id, dump.ParentMeeting.Title));
        Assert.Empty(dump.Meetings); // no breakout rooms yet
        Assert.Equal(
            [(ada.Id, "Ada", "ada"), (bob.Id, "Bob", "bob")],
            dump.ParentMeeting.Participants.Select(p => (p.Id, p.DisplayName, p.CustomParticipantId)).OrderBy(p => p.CustomParticipantId, StringComparer.Ordinal));
        Assert.All(dump.ParentMeeting.Participants, p => Assert.False(string.IsNullOrEmpty(p.PresetId)));
    }

    [Fact]
    public async Task AHostMakesBreakoutRoomsThatAreMeetingsAndEveryPeerHearsOfThemBeforeTheAnswer()
    {
        string meeting = await Api.CreateMeetingAsync("""{"title":"workshop","persist_chat":true}""");
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant", name: "Bob");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);

        var answer = await adaSocket.RequestAsync(Events.Room.CreateConnectedRooms, Create("Room A", "Room B"));
        var made = CreateConnectedRoomsResponse.Parser.ParseFrom(answer.Payload).Payloads;
        Assert.Equal(["Room A", "Room B"], made.Select(r => r.Title)); // as asked, in order: the UI kit matches them by title

        // Told to every peer, the host before its answer (its UI kit moves people in at once, into rooms it must know).
        var pushed = await bobSocket.WaitForAsync(m => m.Event == Events.Room.ConnectedRoomsUpdated && m.Id.Length == 0);
        Assert.Equal(made.Select(r => r.Id), CreateConnectedRoomsResponse.Parser.ParseFrom(pushed.Payload).Payloads.Select(r => r.Id));
        var received = adaSocket.Received.ToList();
        Assert.InRange(received.FindIndex(m => m.Event == Events.Room.ConnectedRoomsUpdated && m.Id.Length == 0), 0, received.FindIndex(m => m.Id == answer.Id) - 1);

        // The dump lists them (nobody in them yet); each is a meeting of the app, with the parent's chat setting.
        var dump = GetConnectedRoomsDumpResponse.Parser.ParseFrom((await bobSocket.RequestAsync(Events.Room.GetConnectedRoomsDump, ByteString.Empty)).Payload);
        Assert.Equal(made.Select(r => (r.Id, r.Title)), dump.Meetings.Select(m => (m.Id, m.Title)));
        Assert.All(dump.Meetings, m => Assert.Empty(m.Participants));
        Assert.Equal(2, dump.ParentMeeting.Participants.Count);
        var room = (await Api.GetAsync($"/meetings/{made[0].Id}")).EnsureOk().Data;
        Assert.Equal(("Room A", "ACTIVE", true), (room.GetProperty("title").GetString(), room.GetProperty("status").GetString(), room.GetProperty("persist_chat").GetBoolean()));
    }

    [Fact]
    public async Task MakingRoomsIsRefusedWithoutThePermissionAndPastTheLimits()
    {
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);

        Assert.Contains("connected_meetings.can_alter_connected_meetings", await RefusalAsync(bobSocket, Create("mine")));
        Assert.Contains("1 to 1024 characters", await RefusalAsync(adaSocket, Create("")));
        Assert.Contains("1 to 50 breakout rooms", await RefusalAsync(adaSocket, Create()));
        Assert.False(RealtimeKitSocketClient.IsError(await adaSocket.RequestAsync(Events.Room.CreateConnectedRooms, Create([.. Enumerable.Range(1, 49).Select(i => $"Room {i}")]))));
        Assert.Contains("at most 50 breakout rooms at once (49 open)", await RefusalAsync(adaSocket, Create("fifty", "fifty-one")));
        Assert.DoesNotContain(bobSocket.Received, m => m.Event == Events.Room.ConnectedRoomsUpdated && CreateConnectedRoomsResponse.Parser.ParseFrom(m.Payload).Payloads.Any(r => r.Title is "mine" or "fifty"));
    }

    [Fact]
    public async Task AHostMovesAGuestIntoARoomWhereItsTokenJoinsAndItsOldSocketIsLetGo()
    {
        string meeting = await Api.CreateMeetingAsync("""{"title":"workshop"}""");
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant", name: "Bob");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);
        string room = await MakeRoomAsync(adaSocket, "Room A");

        // The answer is empty (the SDK reads one that spells "error" as a failure).
        var answer = await adaSocket.RequestAsync(Events.Room.MovePeers, Move(meeting, room, bob.Id));
        Assert.False(RealtimeKitSocketClient.IsError(answer));
        Assert.True(answer.Payload.IsEmpty);

        // Bob alone is told where to go, with a token of a participant of the room: the same person (its custom id).
        var transfer = TransferPeer.Parser.ParseFrom((await bobSocket.WaitForAsync(m => m.Event == Events.Room.TransferPeer)).Payload);
        Assert.Equal(room, transfer.MeetingId);
        var claims = Claims(transfer.AuthToken);
        Assert.Equal(room, claims.GetProperty("meetingId").GetString());
        string bobThere = claims.GetProperty("participantId").GetString()!;
        Assert.NotEqual(bob.Id, bobThere);
        Assert.DoesNotContain(adaSocket.Received, m => m.Event == Events.Room.TransferPeer);
        var inRoom = (await Api.GetAsync($"/meetings/{room}/participants/{bobThere}")).EnsureOk().Data;
        Assert.Equal(("bob", "Bob", "group_call_participant"),
            (inRoom.GetProperty("custom_participant_id").GetString(), inRoom.GetProperty("name").GetString(), inRoom.GetProperty("preset_name").GetString()));

        // The host is pushed who is where: Bob in the room (on his way), no longer in the main meeting.
        var pushed = GetConnectedRoomsDumpResponse.Parser.ParseFrom((await adaSocket.WaitForAsync(m => m.Event == Events.Room.GetConnectedRoomsDump && m.Id.Length == 0)).Payload);
        Assert.Equal([ada.Id], pushed.ParentMeeting.Participants.Select(p => p.Id));
        Assert.Equal([(bobThere, "Bob", "bob")], pushed.Meetings.Single(m => m.Id == room).Participants.Select(p => (p.Id, p.DisplayName, p.CustomParticipantId)));

        // And again after the answer, on which the SDK moves Bob itself by his id here, which the group's push no longer
        // lists (it added an undefined for him): the push after puts its view back.
        var after = await Eventually.MatchAsync(() => adaSocket.Received.SkipWhile(m => m.Id != answer.Id).Skip(1).ToList(),
            r => r.Any(m => m.Event == Events.Room.GetConnectedRoomsDump && m.Id.Length == 0), "the group pushed to the host after its move's answer");
        var again = GetConnectedRoomsDumpResponse.Parser.ParseFrom(after.First(m => m.Event == Events.Room.GetConnectedRoomsDump && m.Id.Length == 0).Payload);
        Assert.Equal(pushed, again);

        // The old socket: its media.leaveRoom is answered, anything else refused, and it is closed normally if the SDK does not.
        Assert.False(RealtimeKitSocketClient.IsError(await bobSocket.RequestAsync(Events.Media.LeaveRoom, new Stagecast.RealtimeKit.Protocol.Media.PeerLeaveRequest { CloseRoom = false })));
        Assert.Contains("moved to another meeting", await RefusalAsync(bobSocket, Events.Room.GetConnectedRoomsDump, new GetConnectedRoomsDumpRequest()));
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, await bobSocket.WaitForCloseAsync(TimeSpan.FromSeconds(30)));

        // The token joins the room, where Bob finds himself, and the main meeting has Ada alone.
        await using var bobInRoom = await JoinAsync(transfer.AuthToken);
        var dump = GetConnectedRoomsDumpResponse.Parser.ParseFrom((await bobInRoom.RequestAsync(Events.Room.GetConnectedRoomsDump, ByteString.Empty)).Payload);
        Assert.Equal(meeting, dump.ParentMeeting.Id);
        Assert.Equal([ada.Id], dump.ParentMeeting.Participants.Select(p => p.Id));
        Assert.Equal([bobThere], dump.Meetings.Single(m => m.Id == room).Participants.Select(p => p.Id));
    }

    [Fact]
    public async Task APeerMovesOnlyItselfAsItsPresetAllowsAndASecondMoveThereIsNothingToDo()
    {
        (await Api.PostAsync("/presets", """{"name":"roamer","permissions":{"connected_meetings":{"can_switch_connected_meetings":true}}}""")).EnsureOk();
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        var cyd = await Api.AddParticipantAsync(meeting, "cyd", "roamer");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);
        await using var cydSocket = await JoinAsync(cyd.Token);
        string room = await MakeRoomAsync(adaSocket, "Room A");

        Assert.Contains("connected_meetings.can_switch_connected_meetings", await RefusalAsync(bobSocket, Events.Room.MovePeers, Move(meeting, room, bob.Id)));
        Assert.Contains("may move only yourself", await RefusalAsync(cydSocket, Events.Room.MovePeers, Move(meeting, room, bob.Id)));
        Assert.Contains("may move only yourself", await RefusalAsync(cydSocket, Events.Room.MovePeers, Move(meeting, room, cyd.Id, presetId: "any"))); // not under a preset of its choosing
        Assert.Contains($"participant {ada.Id} is not in meeting {room}", await RefusalAsync(adaSocket, Events.Room.MovePeers, Move(room, meeting, ada.Id)));
        Assert.Contains("is not this meeting's or one of its breakout rooms", await RefusalAsync(adaSocket, Events.Room.MovePeers, Move(meeting, await Api.CreateMeetingAsync(), bob.Id)));
        Assert.DoesNotContain(bobSocket.Received, m => m.Event == Events.Room.TransferPeer);

        // Cyd may go into a room (not back: its preset has no can_switch_to_parent_meeting).
        Assert.False(RealtimeKitSocketClient.IsError(await cydSocket.RequestAsync(Events.Room.MovePeers, Move(meeting, room, cyd.Id))));
        var transfer = TransferPeer.Parser.ParseFrom((await cydSocket.WaitForAsync(m => m.Event == Events.Room.TransferPeer)).Payload);
        await using var cydInRoom = await JoinAsync(transfer.AuthToken);
        string cydThere = Claims(transfer.AuthToken).GetProperty("participantId").GetString()!;
        Assert.Contains("connected_meetings.can_switch_to_parent_meeting", await RefusalAsync(cydInRoom, Events.Room.MovePeers, Move(room, meeting, cydThere)));

        // The UI kit's "close breakout" moves everyone twice: the second move of one on its way is nothing to do.
        Assert.False(RealtimeKitSocketClient.IsError(await adaSocket.RequestAsync(Events.Room.MovePeers, Move(meeting, room, bob.Id))));
        Assert.False(RealtimeKitSocketClient.IsError(await adaSocket.RequestAsync(Events.Room.MovePeers, Move(meeting, room, bob.Id))));
        await bobSocket.WaitForAsync(m => m.Event == Events.Room.TransferPeer);
        Assert.Single(bobSocket.Received, m => m.Event == Events.Room.TransferPeer);
    }

    [Fact]
    public async Task AHostClosingRoomsFromInsideOneBringsEveryoneBackAndTheRoomsBecomeInactiveMeetings()
    {
        string meeting = await Api.CreateMeetingAsync("""{"title":"workshop"}""");
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant", name: "Bob");
        var cyd = await Api.AddParticipantAsync(meeting, "cyd", "group_call_participant", name: "Cyd");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);
        await using var cydSocket = await JoinAsync(cyd.Token);
        var made = CreateConnectedRoomsResponse.Parser.ParseFrom((await adaSocket.RequestAsync(Events.Room.CreateConnectedRooms, Create("Room A", "Room B"))).Payload).Payloads;
        string roomA = made[0].Id, roomB = made[1].Id;

        // Bob goes into room A, Ada into room B; each joins there.
        await using var bobInA = await MovedAsync(adaSocket, bobSocket, Move(meeting, roomA, bob.Id));
        await using var adaInB = await MovedAsync(adaSocket, adaSocket, Move(meeting, roomB, ada.Id));

        // Only a host closes, only rooms; Bob's preset may not, the main meeting is no room, nor is another meeting.
        Assert.Contains("connected_meetings.can_alter_connected_meetings", await RefusalAsync(bobInA, Events.Room.DeleteConnectedRooms, Close(roomA)));
        Assert.Contains("is the main meeting", await RefusalAsync(adaInB, Events.Room.DeleteConnectedRooms, Close(meeting)));
        Assert.Contains("is not an open breakout room", await RefusalAsync(adaInB, Events.Room.DeleteConnectedRooms, Close(await Api.CreateMeetingAsync())));

        // Ada closes both from room B: the answer lists them inactive, and both come back to the main meeting as the
        // participants they were there.
        var closed = DisableConnectedRoomsResponse.Parser.ParseFrom((await adaInB.RequestAsync(Events.Room.DeleteConnectedRooms, Close(roomA, roomB))).Payload).Payloads;
        Assert.Equal([(roomA, "INACTIVE", "Room A"), (roomB, "INACTIVE", "Room B")], closed.Select(r => (r.Id, r.Status, r.Title)));
        foreach (var (socket, participant) in new[] { (bobInA, bob.Id), (adaInB, ada.Id) })
        {
            var back = TransferPeer.Parser.ParseFrom((await socket.WaitForAsync(m => m.Event == Events.Room.TransferPeer)).Payload);
            Assert.Equal((meeting, participant), (back.MeetingId, Claims(back.AuthToken).GetProperty("participantId").GetString()));
        }

        // Cyd, who stayed, is pushed the rooms closed, then a dump with none and everyone in the main meeting.
        var pushed = await cydSocket.WaitForAsync(m => m.Event == Events.Room.ConnectedRoomsDeleted);
        Assert.Equal([roomA, roomB], DisableConnectedRoomsResponse.Parser.ParseFrom(pushed.Payload).Payloads.Select(r => r.Id));
        var dump = GetConnectedRoomsDumpResponse.Parser.ParseFrom((await cydSocket.RequestAsync(Events.Room.GetConnectedRoomsDump, ByteString.Empty)).Payload);
        Assert.Empty(dump.Meetings);
        Assert.Equal(["ada", "bob", "cyd"], dump.ParentMeeting.Participants.Select(p => p.CustomParticipantId).Order(StringComparer.Ordinal));
        foreach (string room in new[] { roomA, roomB })
        {
            Assert.Equal("INACTIVE", (await Api.GetAsync($"/meetings/{room}")).EnsureOk().Data.GetProperty("status").GetString()); // kept, with its sessions
        }

        // The main meeting's session lists the rooms' sessions it held when asked (include_breakout_rooms), in the order
        // the rooms were made; they ended with the rooms.
        string session = (await Api.GetAsync($"/sessions?associated_id={meeting}&status=LIVE")).EnsureOk().Data.GetProperty("sessions")[0].GetProperty("id").GetString()!;
        Assert.Empty((await Api.GetAsync($"/sessions/{session}")).EnsureOk().Data.GetProperty("breakout_rooms").EnumerateArray());
        var held = await Eventually.MatchAsync(
            async () => (await Api.GetAsync($"/sessions/{session}?include_breakout_rooms=true")).EnsureOk().Data.GetProperty("breakout_rooms").EnumerateArray()
                .Select(r => (r.GetProperty("associated_id").GetString(), r.GetProperty("status").GetString())).ToList(),
            rooms => rooms.All(r => r.Item2 == "ENDED"), "the rooms' sessions to end");
        Assert.Equal([(roomA, "ENDED"), (roomB, "ENDED")], held);
    }

    [Fact]
    public async Task AMainMeetingMadeInactiveClosesItsOpenRoomsAndEndsWhoIsInThem()
    {
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant", name: "Bob");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);
        string room = await MakeRoomAsync(adaSocket, "Room A");
        string closedEarlier = await MakeRoomAsync(adaSocket, "Room B");
        await adaSocket.RequestAsync(Events.Room.DeleteConnectedRooms, Close(closedEarlier));
        await using var bobInRoom = await MovedAsync(adaSocket, bobSocket, Move(meeting, room, bob.Id));

        (await Api.SendAsync(HttpMethod.Patch, $"/meetings/{meeting}", """{"status":"INACTIVE"}""")).EnsureOk();

        Assert.Equal("INACTIVE", (await Api.GetAsync($"/meetings/{room}")).EnsureOk().Data.GetProperty("status").GetString());
        Assert.Equal("INACTIVE", (await Api.GetAsync($"/meetings/{closedEarlier}")).EnsureOk().Data.GetProperty("status").GetString());
        Assert.NotNull(await bobInRoom.WaitForCloseAsync()); // the room's session ended with it
        Assert.NotNull(await adaSocket.WaitForCloseAsync());
    }

    [Fact]
    public async Task APersonMovedUnderAPresetWithAWaitingRoomWaitsInNone()
    {
        string lobby = (await Api.PostAsync("/presets", """{"name":"lobby","permissions":{"waiting_room_type":"ON_PRIVILEGED_USER_ENTRY"}}""")).EnsureOk().Data.GetProperty("id").GetString()!;
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);
        string room = await MakeRoomAsync(adaSocket, "Room A");

        // Bob is moved under the lobby preset (moveParticipantsWithCustomPreset): a host sent him, he does not wait.
        Assert.False(RealtimeKitSocketClient.IsError(await adaSocket.RequestAsync(Events.Room.MovePeers, Move(meeting, room, bob.Id, presetId: lobby))));
        var transfer = TransferPeer.Parser.ParseFrom((await bobSocket.WaitForAsync(m => m.Event == Events.Room.TransferPeer)).Payload);
        var bobThere = (await Api.GetAsync($"/meetings/{room}/participants/{Claims(transfer.AuthToken).GetProperty("participantId").GetString()}")).EnsureOk().Data;
        Assert.Equal("lobby", bobThere.GetProperty("preset_name").GetString());
        // His token says so, for the next 30 s: whichever node of a cluster he reaches lets him in.
        long movedFor = Claims(transfer.AuthToken).GetProperty("moved_until").GetInt64() - DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange(movedFor, 20, 31);
        await using var bobInRoom = await ConnectAsync(transfer.AuthToken);
        Assert.False(PeerInfoResponse.Parser.ParseFrom((await bobInRoom.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest())).Payload).Peer.Waitlisted);

        // Someone of that preset who comes in on their own waits.
        var dan = await Api.AddParticipantAsync(room, "dan", "lobby");
        Assert.False(Claims(dan.Token).TryGetProperty("moved_until", out _));
        await using var danSocket = await ConnectAsync(dan.Token);
        Assert.True(PeerInfoResponse.Parser.ParseFrom((await danSocket.RequestAsync(Events.Room.JoinRoom, new JoinRoomRequest())).Payload).Peer.Waitlisted);
    }

    [Fact]
    public async Task AHostsMessageToRoomsReachesEveryoneInThemAndNoOneElse()
    {
        string meeting = await Api.CreateMeetingAsync();
        var ada = await Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await Api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        var cyd = await Api.AddParticipantAsync(meeting, "cyd", "group_call_participant");
        await using var adaSocket = await JoinAsync(ada.Token);
        await using var bobSocket = await JoinAsync(bob.Token);
        await using var cydSocket = await JoinAsync(cyd.Token);
        string room = await MakeRoomAsync(adaSocket, "Room A");
        await using var bobInRoom = await MovedAsync(adaSocket, bobSocket, Move(meeting, room, bob.Id));

        // Ada, in the main meeting, tells the room: the SDK awaits the answer, the message itself.
        var answer = await adaSocket.RequestAsync(Events.Room.BroadcastToEntity, ToRooms("time", """{"left":60}""", room));
        Assert.Equal("time", BroadcastMessage.Parser.ParseFrom(answer.Payload).Type);
        var heard = BroadcastMessage.Parser.ParseFrom((await bobInRoom.WaitForAsync(m => m.Event == Events.Room.BroadcastMessage && m.Id.Length == 0)).Payload);
        Assert.Equal(("time", """{"left":60}"""), (heard.Type, heard.Payload.ToStringUtf8()));

        // Only a host sends to rooms, and only to the group's meetings; Cyd, in the main meeting, heard nothing.
        Assert.Contains("connected_meetings.can_alter_connected_meetings", await RefusalAsync(bobInRoom, Events.Room.BroadcastToEntity, ToRooms("time", "{}", meeting)));
        Assert.Contains("is not this meeting's or one of its breakout rooms", await RefusalAsync(adaSocket, Events.Room.BroadcastToEntity, ToRooms("time", "{}", await Api.CreateMeetingAsync())));
        Assert.DoesNotContain(cydSocket.Received, m => m.Event is Events.Room.BroadcastMessage or Events.Room.BroadcastToEntity);
    }

    private static BroadcastMessage ToRooms(string type, string payload, params string[] meetings)
    {
        var message = new BroadcastMessage { Type = type, Payload = ByteString.CopyFromUtf8(payload), BroadcastType = BroadcastType.Rooms };
        message.Ids.AddRange(meetings);
        return message;
    }

    /// <summary>Has <paramref name="host"/> move someone, and <paramref name="moving"/>'s client follow: a socket joined where it was sent.</summary>
    private async Task<RealtimeKitSocketClient> MovedAsync(RealtimeKitSocketClient host, RealtimeKitSocketClient moving, MovePeersBetweenRoomsRequest move)
    {
        Assert.False(RealtimeKitSocketClient.IsError(await host.RequestAsync(Events.Room.MovePeers, move)));
        var transfer = TransferPeer.Parser.ParseFrom((await moving.WaitForAsync(m => m.Event == Events.Room.TransferPeer)).Payload);
        return await JoinAsync(transfer.AuthToken);
    }

    private static DisableConnectedRoomsRequest Close(params string[] ids)
    {
        var request = new DisableConnectedRoomsRequest();
        request.Payloads.AddRange(ids.Select(id => new DisableRoomPayload { Id = id }));
        return request;
    }

    private static async Task<string> MakeRoomAsync(RealtimeKitSocketClient host, string title) =>
        CreateConnectedRoomsResponse.Parser.ParseFrom((await host.RequestAsync(Events.Room.CreateConnectedRooms, Create(title))).Payload).Payloads.Single().Id;

    private static MovePeersBetweenRoomsRequest Move(string from, string to, string participantId, string? presetId = null)
    {
        var request = new MovePeersBetweenRoomsRequest { SourceMeetingId = from, DestinationMeetingId = to };
        request.Participants.Add(presetId is null ? new MovePeerPayload { Id = participantId } : new MovePeerPayload { Id = participantId, PresetId = presetId });
        return request;
    }

    /// <summary>A participant token's claims (its payload, unverified: the server checks it when it is used).</summary>
    private static System.Text.Json.JsonElement Claims(string token)
    {
        string payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        return System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '='))).RootElement;
    }

    private static CreateConnectedRoomsRequest Create(params string[] titles)
    {
        var request = new CreateConnectedRoomsRequest();
        request.Payloads.AddRange(titles.Select(t => new CreateRoomRequestPayload { Title = t }));
        return request;
    }

    private static Task<string> RefusalAsync(RealtimeKitSocketClient socket, CreateConnectedRoomsRequest request) =>
        RefusalAsync(socket, Events.Room.CreateConnectedRooms, request);

    private static async Task<string> RefusalAsync(RealtimeKitSocketClient socket, uint @event, IMessage request)
    {
        var answer = await socket.RequestAsync(@event, request);
        Assert.True(RealtimeKitSocketClient.IsError(answer));
        return Stagecast.RealtimeKit.Protocol.ErrorMessage.Parser.ParseFrom(answer.Payload).Message;
    }
}
