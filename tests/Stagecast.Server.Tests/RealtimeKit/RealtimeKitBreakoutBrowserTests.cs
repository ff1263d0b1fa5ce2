using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Breakout rooms with RealtimeKit's unmodified SDK 2.0.2 in Chromium (fake camera and microphone), as an app drives
/// <c>meeting.connectedMeetings</c>: a host splits a meeting of four into two rooms, each moved participant's SDK
/// switches to its room's meeting (a new client, handed over with <c>meetingChanged</c>) and sees and hears only who is
/// in it and chats there; the host closes the rooms and everyone is back in the main meeting, with media. The same with
/// the UI kit's own breakout rooms manager (More, Breakout Rooms: rooms made, people assigned by hand, started,
/// closed), and on SDK 1.5.1. The server's side of each step is tested in process (<see cref="RealtimeKitConnectedMeetingsTests"/>).
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

        // The host's SDK knows who is where, from what it was pushed (it asks for nothing).
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

    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task SdkOneFiveMovesIntoABreakoutRoomAndBack()
    {
        // RealtimeKit's SDK 1.5.1 has connected meetings too, with the same calls and messages: a host on it moves Ada,
        // also on it, into a room and closes it; her SDK follows both ways, with media.
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host", name: "Hana");
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_participant", name: "Ada");
        var hostPage = await browser.JoinAsync(host.Token, sdkVersion: "1.5.1");
        var adaPage = await browser.JoinAsync(ada.Token, sdkVersion: "1.5.1");
        await adaPage.WaitForStateAsync(s => s.Participants.Any(p => p.Name == "Hana" && p.FramesDecoded > 10), "Ada decoding Hana", TimeSpan.FromSeconds(60));

        var rooms = await hostPage.CreateMeetingsAsync("Room A");
        await hostPage.MoveParticipantsAsync(meeting, rooms[0].Id, ada.Id);
        var inRoom = await adaPage.WaitForStateAsync(s => s.MeetingId == rooms[0].Id, "Ada in room A", TimeSpan.FromSeconds(60));
        Assert.Empty(inRoom.Participants);
        Assert.Equal(1, inRoom.MeetingChanges);
        await hostPage.WaitForStateAsync(s => s.Participants.Count == 0, "the host alone in the main meeting");

        // From what it was pushed, the host's SDK knows who is where. When the group's push came only before the move's
        // answer, on which the SDK moves Ada itself by her id in the main meeting, it held an undefined beside her, and
        // deleteMeetings (which moves a room's people back by their ids first) threw.
        Assert.Equal(["Ada"], (await hostPage.ConnectedMeetingsAsync()).Meetings.Single().Participants.Select(p => p.DisplayName));
        await hostPage.DeleteMeetingsAsync(rooms[0].Id);
        var back = await adaPage.WaitForStateAsync(s => s.MeetingId == meeting && s.Participants.Any(p => p.Name == "Hana" && p.FramesDecoded > 10),
            "Ada back in the main meeting, decoding Hana", TimeSpan.FromSeconds(60));
        Assert.Equal(2, back.MeetingChanges);
        Assert.Empty(back.Uncaught);
    }

    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task AHostSplitsAMeetingWithTheUiKitsBreakoutManagerAndClosesTheRooms()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync("""{"title":"workshop"}""");
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host", name: "Hana");
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_participant", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant", name: "Bob");
        var adaPage = await browser.JoinAsync(ada.Token, media: false);
        var bobPage = await browser.JoinAsync(bob.Token, media: false);

        // The host's app is the UI kit; its breakout rooms manager is in the control bar's More menu.
        var hostPage = await browser.OpenAsync();
        await hostPage.InitAsync(host.Token, browser.BaseUri, media: false);
        await hostPage.OpenUiKitAsync();
        await Eventually.MatchAsync(hostPage.UiKitAsync, u => u.Names.Contains("Ada") && u.Names.Contains("Bob"), "the host's UI kit showing Ada and Bob", TimeSpan.FromSeconds(60));
        var ui = hostPage.Page;
        await OpenManagerAsync(ui);

        // Two rooms (the counter's default), Ada assigned to the first, Bob to the second, by hand; then started.
        await ui.Locator("rtk-breakout-rooms-manager rtk-button", new() { HasText = "Create" }).First.ClickAsync();
        var cards = ui.Locator("rtk-breakout-room-manager");
        await Eventually.TrueAsync(async () => await cards.CountAsync() == 2, "two room cards");
        foreach (var (name, card) in new[] { ("Ada", 0), ("Bob", 1) })
        {
            await ui.Locator("rtk-breakout-room-participants li.participant-item", new() { HasText = name }).ClickAsync();
            await cards.Nth(card).Locator("rtk-button.assign-button").ClickAsync();
        }

        await ui.Locator("rtk-breakout-rooms-manager rtk-button.start-breakout-button").ClickAsync();
        await ui.Locator("rtk-confirmation-modal rtk-button", new() { HasText = "Yes, start" }).ClickAsync();

        // Each SDK is taken to a room of its own; the host stays in the main meeting.
        var adaIn = await adaPage.WaitForStateAsync(s => s.MeetingId != meeting && s.MeetingChanges == 1, "Ada moved to a breakout room", TimeSpan.FromSeconds(60));
        var bobIn = await bobPage.WaitForStateAsync(s => s.MeetingId != meeting && s.MeetingChanges == 1, "Bob moved to a breakout room", TimeSpan.FromSeconds(60));
        Assert.NotEqual(adaIn.MeetingId, bobIn.MeetingId);
        Assert.Empty(adaIn.Participants);
        await Eventually.MatchAsync(hostPage.UiKitAsync, u => !u.Names.Contains("Ada") && !u.Names.Contains("Bob"), "the host's grid without them", TimeSpan.FromSeconds(30));

        // The host closes the rooms from the manager: both come back.
        await OpenManagerAsync(ui);
        await ui.Locator("rtk-breakout-rooms-manager rtk-button.close-breakout-button").ClickAsync();
        await ui.Locator("rtk-confirmation-modal rtk-button", new() { HasText = "Yes, close breakout" }).ClickAsync();
        foreach (var (page, name) in new[] { (adaPage, "Ada"), (bobPage, "Bob") })
        {
            await page.WaitForStateAsync(s => s.MeetingId == meeting && s.MeetingChanges == 2, $"{name} back in the main meeting", TimeSpan.FromSeconds(60));
        }

        await Eventually.MatchAsync(hostPage.UiKitAsync, u => u.Names.Contains("Ada") && u.Names.Contains("Bob"), "the host's UI kit showing them again", TimeSpan.FromSeconds(60));
        Assert.Empty((await hostPage.StateAsync()).Uncaught);

        static async Task OpenManagerAsync(Microsoft.Playwright.IPage ui)
        {
            await ui.Locator("rtk-more-toggle button[aria-label='More']").ClickAsync();
            await ui.Locator("rtk-breakout-rooms-toggle button[aria-label='Breakout Rooms']").ClickAsync();
            await ui.Locator("rtk-breakout-rooms-manager").WaitForAsync(new() { Timeout = 20_000 });
        }
    }
}
