using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Breakout rooms with RealtimeKit's unmodified SDK 2.0.2 in Chromium (fake camera and microphone), as an app drives
/// <c>meeting.connectedMeetings</c>: a host splits a meeting of four into two rooms, each moved participant's SDK
/// switches to its room's meeting (a new client, handed over with <c>meetingChanged</c>) and sees and hears only who is
/// in it and chats there; the host closes the rooms and everyone is back in the main meeting, with media. The server's side of each step is tested in process (<see cref="RealtimeKitConnectedMeetingsTests"/>).
/// Four Chromium pages each encoding a camera and decoding three: beside the long lane's other browser classes on two
/// cores, pages took over 30 s to load and the SDK's socket join timed out, so it runs alone.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class RealtimeKitBreakoutBrowserTests
{
    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task AHostSplitsAMeetingOfFourIntoTwoRoomsAndBringsEveryoneBack()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync("""{"title":"workshop"}""");
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host", name: "Hana");
        var people = new[] { ("ada", "Ada"), ("bob", "Bob"), ("cy", "Cy") };
        var participants = new List<CreatedParticipant>();
        foreach (var (id, name) in people)
        {
            participants.Add(await api.AddParticipantAsync(meeting, id, "group_call_participant", name: name));
        }

        var hostPage = await browser.JoinAsync(host.Token);
        var pages = new List<RealtimeKitPage>();
        foreach (var participant in participants)
        {
            pages.Add(await browser.JoinAsync(participant.Token));
        }

        // Everyone sees everyone's video in the main meeting.
        foreach (var page in pages.Append(hostPage))
        {
            await page.WaitForStateAsync(s => s.Participants.Count == 3 && s.Participants.All(p => p.FramesDecoded > 10), "everyone decoding the other three", TimeSpan.FromSeconds(90));
        }

        // Two rooms; Ada and Bob to the first, Cy to the second.
        var rooms = await hostPage.CreateMeetingsAsync("Room A", "Room B");
        Assert.Equal(["Room A", "Room B"], rooms.Select(r => r.Title));
        await hostPage.MoveParticipantsAsync(meeting, rooms[0].Id, participants[0].Id, participants[1].Id);
        await hostPage.MoveParticipantsAsync(meeting, rooms[1].Id, participants[2].Id);

        // Each moved SDK switched to its room's meeting, where it sees and hears only who is there.
        var (ada, bob, cy) = (pages[0], pages[1], pages[2]);
        var adaInRoom = await ada.WaitForStateAsync(s => s.MeetingId == rooms[0].Id && s.Participants.Any(p => p.Name == "Bob" && p.FramesDecoded > 10 && p.AudioLive),
            "Ada in room A, decoding Bob", TimeSpan.FromSeconds(90));
        Assert.Equal(["Bob"], adaInRoom.Participants.Select(p => p.Name));
        Assert.Equal(1, adaInRoom.MeetingChanges);
        await bob.WaitForStateAsync(s => s.MeetingId == rooms[0].Id && s.Participants.Any(p => p.Name == "Ada" && p.FramesDecoded > 10), "Bob in room A, decoding Ada", TimeSpan.FromSeconds(90));
        var cyInRoom = await cy.WaitForStateAsync(s => s.MeetingId == rooms[1].Id, "Cy in room B", TimeSpan.FromSeconds(90));
        Assert.Empty(cyInRoom.Participants); // alone there
        var hostAlone = await hostPage.WaitForStateAsync(s => s.Participants.Count == 0, "the host alone in the main meeting");
        Assert.Equal(meeting, hostAlone.MeetingId);

        // The host's SDK knows who is where.
        await hostPage.RefreshConnectedMeetingsAsync();
        var connected = await hostPage.ConnectedMeetingsAsync();
        Assert.Equal(meeting, connected.Parent.Id);
        Assert.Equal(["Hana"], connected.Parent.Participants.Select(p => p.DisplayName));
        Assert.Equal(
            [("Room A", "Ada,Bob"), ("Room B", "Cy")],
            connected.Meetings.Select(m => (m.Title, string.Join(',', m.Participants.Select(p => p.DisplayName).Order(StringComparer.Ordinal)))).OrderBy(m => m.Title, StringComparer.Ordinal));

        // Chat in a room stays in the room.
        await ada.SendTextAsync("hello room A");
        await bob.WaitForStateAsync(s => s.Chat.Any(m => m.Message == "hello room A"), "Bob reading Ada's message");

        // The host closes both rooms: everyone is back in the main meeting, seeing everyone again.
        await hostPage.DeleteMeetingsAsync(rooms[0].Id, rooms[1].Id);
        foreach (var page in pages)
        {
            var back = await page.WaitForStateAsync(s => s.MeetingId == meeting && s.Participants.Count == 3 && s.Participants.All(p => p.FramesDecoded > 10),
                "back in the main meeting, decoding the other three", TimeSpan.FromSeconds(90));
            Assert.Equal(2, back.MeetingChanges);
            Assert.DoesNotContain(back.Chat, m => m.Message == "hello room A");
        }

        // The host, who stayed, decodes them again.
        var hostAgain = await hostPage.WaitForStateAsync(s => s.Participants.Count == 3 && s.Participants.All(p => p.FramesDecoded > 10),
            "the host decoding all three again", TimeSpan.FromSeconds(90));
        Assert.Equal(["Ada", "Bob", "Cy"], hostAgain.Participants.Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Empty(hostAgain.Uncaught);
    }
}
