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
}
