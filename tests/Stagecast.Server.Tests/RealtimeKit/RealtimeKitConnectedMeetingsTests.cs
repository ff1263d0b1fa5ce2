using Google.Protobuf;
using Stagecast.RealtimeKit.Protocol.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// RealtimeKit's connected meetings (breakout rooms) on the socket, as the SDK's <c>meeting.connectedMeetings</c> asks:
/// the dump a host's UI kit assigns people from.
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

    private static CreateConnectedRoomsRequest Create(params string[] titles)
    {
        var request = new CreateConnectedRoomsRequest();
        request.Payloads.AddRange(titles.Select(t => new CreateRoomRequestPayload { Title = t }));
        return request;
    }

    private static async Task<string> RefusalAsync(RealtimeKitSocketClient socket, CreateConnectedRoomsRequest request)
    {
        var answer = await socket.RequestAsync(Events.Room.CreateConnectedRooms, request);
        Assert.True(RealtimeKitSocketClient.IsError(answer));
        return Stagecast.RealtimeKit.Protocol.ErrorMessage.Parser.ParseFrom(answer.Payload).Message;
    }
}
