using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Features.Transcription;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Client;

/// <summary>Stagecast's client module (/sdk/stagecast.js) driven in real Chromium pages, as an app would use it.</summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class ClientModuleTests(FirefoxServerFixture server) : IClassFixture<FirefoxServerFixture>
{
    [Fact]
    public async Task TwoClientsJoinSeeEachOtherChatPollAndMute()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Module"}""");
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var a = await StartAsync(browser, ada.Token, "Ada");
        var b = await StartAsync(browser, bob.Token, "Bob");
        string adaId = (await a.Page.EvaluateAsync<JsonElement>("() => meeting.self.id")).GetString()!;
        string bobId = (await b.Page.EvaluateAsync<JsonElement>("() => meeting.self.id")).GetString()!;
        Assert.Equal("Module", a.Joined.GetProperty("meta").GetProperty("meetingTitle").GetString());

        // Ada sees Bob arrive; Bob finds Ada already there.
        await WaitForLogAsync(a, "participantJoined", e => e.GetString() == bobId);
        Assert.Equal(1, await b.Page.EvaluateAsync<int>("() => meeting.participants.joined.size()"));

        // Both turn on camera and microphone: each receives the other's video without asking for it.
        foreach (var client in new[] { a, b })
        {
            await CallAsync(client, "meeting.self.enableAudio()");
            await CallAsync(client, "meeting.self.enableVideo()");
        }

        await WaitForLogAsync(b, "videoUpdate", e => e.GetProperty("id").GetString() == adaId && e.GetProperty("track").GetBoolean());
        await WaitForLogAsync(a, "videoUpdate", e => e.GetProperty("id").GetString() == bobId && e.GetProperty("track").GetBoolean());
        await Eventually.MatchAsync(() => b.Page.EvaluateAsync<int>("id => framesFrom(id)", adaId), f => f > 30, "Bob to decode Ada's camera");
        await Eventually.MatchAsync(() => a.Page.EvaluateAsync<int>("id => framesFrom(id)", bobId), f => f > 30, "Ada to decode Bob's camera");

        // Chat.
        await CallAsync(a, "meeting.chat.sendTextMessage('hello from the module')");
        var message = await WaitForLogAsync(b, "chatUpdate", e => e.GetProperty("text").GetString() == "hello from the module");
        Assert.Equal("Ada", message.GetProperty("from").GetString());

        // A poll, and a vote that both see counted.
        var poll = await CallAsync(a, "meeting.polls.create('Lunch?', ['pizza', 'sushi'])");
        string pollId = poll.GetProperty("id").GetString()!;
        await WaitForLogAsync(b, "pollsUpdate", e => e.GetProperty("id").GetString() == pollId);
        await CallAsync(b, $"meeting.polls.vote('{pollId}', 1)");
        await WaitForLogAsync(a, "pollsUpdate", e => e.GetProperty("id").GetString() == pollId && e.GetProperty("counts")[1].GetInt32() == 1);

        // Ada mutes her microphone: Bob's module says so.
        await CallAsync(a, "meeting.self.disableAudio()");
        await WaitForLogAsync(b, "audioUpdate", e => e.GetProperty("id").GetString() == adaId && !e.GetProperty("enabled").GetBoolean());
        Assert.False(await a.Page.EvaluateAsync<bool>("() => meeting.self.audioEnabled"));

        // Bob leaves: Ada sees him go. His media sessions were deleted while he was still in (not after, when the
        // server had ended them: a 404 each in his console).
        var deletes = new System.Collections.Concurrent.ConcurrentQueue<(int Status, string Url)>();
        b.Page.Response += (_, response) =>
        {
            if (response.Request.Method == "DELETE")
            {
                deletes.Enqueue((response.Status, response.Url));
            }
        };
        await CallAsync(b, "meeting.leave()");
        await WaitForLogAsync(a, "participantLeft", e => e.GetProperty("id").GetString() == bobId);
        await Eventually.TrueAsync(() => deletes.Count >= 2, "Bob's camera and his subscription deleted");
        Assert.All(deletes, d => Assert.True(d.Status is >= 200 and < 300, $"DELETE {d.Url}: {d.Status}"));
        await Browser.ScreenshotAsync(a.Page, "client-module");
    }

    [Fact]
    public async Task TheLivestreamGoesThroughItsStatesWithManualIngestAndRefusesWhoMayNot()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "livestream_host");
        var guest = await api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var h = await StartAsync(browser, host.Token, null);
        var g = await StartAsync(browser, guest.Token, null);

        var refused = await h.Page.EvaluateAsync<JsonElement>("() => call('meeting.livestream.stop()')");
        Assert.Equal(1902, refused.GetProperty("code").GetInt32());
        refused = await g.Page.EvaluateAsync<JsonElement>("() => call('meeting.livestream.start({ manualIngestion: true })')");
        Assert.Equal(1901, refused.GetProperty("code").GetInt32());

        await CallAsync(h, "meeting.livestream.start({ manualIngestion: true })");
        var states = await h.Page.EvaluateAsync<string[]>("() => eventsOf('livestreamUpdate')");
        Assert.Equal(["STARTING", "WAITING_ON_MANUAL_INGESTION"], states);
        var credentials = await CallAsync(h, "meeting.livestream.ingestionCredentials");
        Assert.Equal(JsonValueKind.Null, (await CallAsync(g, "meeting.livestream.ingestionCredentials")).ValueKind);
        string ingest = $"{credentials.GetProperty("ingestionServer").GetString()}/{credentials.GetProperty("streamKey").GetString()}";

        await using var publisher = Ffmpeg.Publish(ingest, Ffmpeg.AudioVideo(60, "320x180"));
        await WaitForLogAsync(h, "livestreamUpdate", e => e.GetString() == "LIVESTREAMING", TimeSpan.FromSeconds(30));
        await WaitForLogAsync(g, "livestreamUpdate", e => e.GetString() == "LIVESTREAMING");
        string playback = (await CallAsync(g, "meeting.livestream.playbackUrl")).GetString()!;

        // Someone opens the watch page: the count rises for everyone in the meeting.
        await server.WaitUntilPlayableAsync(playback);
        string id = (await CallAsync(g, "meeting.livestream.id")).GetString()!;
        var watchPage = await browser.OpenUrlAsync($"{server.HttpBase}/watch/{id}");
        await WaitForLogAsync(g, "viewerCountUpdate", e => e.GetInt32() >= 1, TimeSpan.FromSeconds(30));
        await watchPage.CloseAsync();

        await CallAsync(h, "meeting.livestream.stop()");
        await WaitForLogAsync(h, "livestreamUpdate", e => e.GetString() == "IDLE");
        // The guest hears of it over its own socket, a moment after the host's call returns.
        await WaitForLogAsync(g, "livestreamUpdate", e => e.GetString() == "IDLE");
        Assert.Equal("IDLE", (await CallAsync(g, "meeting.livestream.state")).GetString());
        await Browser.ScreenshotAsync(h.Page, "client-module-livestream");
    }

    [Fact]
    public async Task AWaitlistedParticipantEntersOnlyWhenTheHostAcceptsIt()
    {
        var api = await server.NewTenantAsync();
        (await api.PostAsync("/presets", """{"name":"lobby_guest","permissions":{"waiting_room_type":"ON_PRIVILEGED_USER_ENTRY"}}""")).EnsureOk();
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host");
        var guest = await api.AddParticipantAsync(meeting, "guest", "lobby_guest", name: "Guest");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var h = await StartAsync(browser, host.Token, null);

        var guestPage = await browser.OpenAsync("client.html");
        await guestPage.EvaluateAsync("([s, t]) => start(s, t, null, false)", new object?[] { server.HttpBase, guest.Token });
        var g = new ModulePage(guestPage, default);
        await WaitForLogAsync(g, "waitlisted", _ => true);
        var waiting = await WaitForLogAsync(h, "waitlistJoined", e => e.GetProperty("name").GetString() == "Guest");
        Assert.Equal("waitlisted", (await CallAsync(g, "meeting.self.roomState")).GetString());
        Assert.Equal(0, await h.Page.EvaluateAsync<int>("() => meeting.participants.joined.size()"));

        await CallAsync(h, $"meeting.participants.acceptWaitingRoomRequest('{waiting.GetProperty("id").GetString()}')");
        await WaitForLogAsync(g, "roomJoined", _ => true);
        await WaitForLogAsync(h, "participantJoined", _ => true);
        await WaitForLogAsync(h, "waitlistLeft", e => e.GetString() == waiting.GetProperty("id").GetString());
        Assert.Equal("joined", (await CallAsync(g, "meeting.self.roomState")).GetString());
        await Browser.ScreenshotAsync(h.Page, "client-module-waitlist");
    }

    [Fact]
    public async Task AFirefoxClientJoinsWithTheModuleAndIsSeenByChromium()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada");
        var fox = await api.AddParticipantAsync(meeting, "fox", "group_call_participant");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var a = await StartAsync(browser, ada.Token, "Ada");

        await using var firefox = await Firefox.OpenAsync(
            $"server={Uri.EscapeDataString(server.HttpBase)}&token={Uri.EscapeDataString(fox.Token)}&name=Fox", "client.html");
        var joined = JsonDocument.Parse(await firefox.WaitForReportAsync("\"joined\"", TimeSpan.FromSeconds(60))).RootElement;
        Assert.True(joined.GetProperty("videoEnabled").GetBoolean(), joined.ToString());
        Assert.Equal(1, joined.GetProperty("others").GetInt32());
        string foxId = joined.GetProperty("id").GetString()!;

        await WaitForLogAsync(a, "participantJoined", e => e.GetString() == foxId);
        await WaitForLogAsync(a, "videoUpdate", e => e.GetProperty("id").GetString() == foxId && e.GetProperty("track").GetBoolean(), TimeSpan.FromSeconds(30));
        await Eventually.MatchAsync(() => a.Page.EvaluateAsync<int>("id => framesFrom(id)", foxId), f => f > 30, "Ada to decode Firefox's camera");
        await Browser.ScreenshotAsync(a.Page, "client-module-firefox");
    }

    [Fact]
    public async Task AClientRejoinsAfterItsConnectionDropsWithoutTheOthersSeeingItLeaveAndSwitchesDevices()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var a = await StartAsync(browser, ada.Token, "Ada");
        var b = await StartAsync(browser, bob.Token, "Bob");
        string adaId = (await a.Page.EvaluateAsync<JsonElement>("() => meeting.self.id")).GetString()!;

        // The socket drops (as on a network change): the module rejoins with its peer id; Bob sees no leave.
        await a.Page.EvaluateAsync("() => meeting._socket.close()");
        await WaitForLogAsync(a, "reconnected", _ => true, TimeSpan.FromSeconds(20));
        Assert.Equal(adaId, (await a.Page.EvaluateAsync<JsonElement>("() => meeting.self.id")).GetString());
        await CallAsync(a, "meeting.chat.sendTextMessage('still here')");
        await WaitForLogAsync(b, "chatUpdate", e => e.GetProperty("text").GetString() == "still here");
        Assert.Empty((await b.Page.EvaluateAsync<JsonElement>("() => eventsOf('participantLeft')")).EnumerateArray());

        // Devices: the fake camera is listed and chosen while the camera is on; the track is replaced, nothing renegotiated.
        await CallAsync(a, "meeting.self.enableVideo()");
        var devices = await CallAsync(a, "meeting.self.getAllDevices()");
        Assert.Contains(devices.EnumerateArray(), d => d.GetProperty("kind").GetString() == "videoinput");
        await CallAsync(a, "meeting.self.getAllDevices().then(d => meeting.self.setDevice(d.find(x => x.kind === 'videoinput')))");
        await WaitForLogAsync(a, "deviceUpdate", e => e.GetString() == "videoinput");
        Assert.True(await a.Page.EvaluateAsync<bool>("() => meeting.self.videoTrack.readyState === 'live'"));
        await WaitForLogAsync(b, "videoUpdate", e => e.GetProperty("id").GetString() == adaId && e.GetProperty("track").GetBoolean(), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task AClientWhoseNetworkDropsIsSeenAndHeardAgainWithinSeconds()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var a = await StartAsync(browser, ada.Token, "Ada");
        var b = await StartAsync(browser, bob.Token, "Bob");
        string adaId = (await a.Page.EvaluateAsync<JsonElement>("() => meeting.self.id")).GetString()!;
        string bobId = (await b.Page.EvaluateAsync<JsonElement>("() => meeting.self.id")).GetString()!;
        foreach (var client in new[] { a, b })
        {
            await CallAsync(client, "meeting.self.enableAudio()");
            await CallAsync(client, "meeting.self.enableVideo()");
        }

        await Eventually.MatchAsync(() => b.Page.EvaluateAsync<int>("id => framesFrom(id)", adaId), f => f > 30, "Bob to decode Ada's camera");
        await Eventually.MatchAsync(() => a.Page.EvaluateAsync<int>("id => framesFrom(id)", bobId), f => f > 30, "Ada to decode Bob's camera");

        // Ada's network goes (DevTools offline) with her socket; a few seconds later it is back and the module rejoins.
        await a.Page.Context.SetOfflineAsync(true);
        await a.Page.EvaluateAsync("() => meeting._socket.close()");
        await Task.Delay(TimeSpan.FromSeconds(3)); // the outage itself: what the test is about, not a wait for a fact
        await a.Page.Context.SetOfflineAsync(false);
        await WaitForLogAsync(a, "reconnected", _ => true, TimeSpan.FromSeconds(30));

        // Both see and hear each other again: frames and audio packets keep coming (of whatever connection each has now).
        foreach (var (viewer, other, who) in new[] { (b, adaId, "Bob from Ada"), (a, bobId, "Ada from Bob") })
        {
            await ModulePage.GrowsAsync(() => viewer.Page.EvaluateAsync<int>("id => framesFrom(id)", other), 30, $"video to {who} again");
            await ModulePage.GrowsAsync(() => viewer.Page.EvaluateAsync<int>("id => audioPacketsFrom(id)", other), 50, $"audio to {who} again");
        }

        Assert.Empty((await b.Page.EvaluateAsync<JsonElement>("() => eventsOf('participantLeft')")).EnumerateArray());
    }

    [Fact]
    public async Task MeetingAiKeepsTheNewest200LinesOfALongMeetingsTranscript()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        await using var browser = await Browser.LaunchAsync();
        var client = await StartAsync(browser, ada.Token, null);
        string adaId = await client.SelfIdAsync();

        // A long meeting's lines, as the server's speech engine sends them (LiveTranscriptTests has the engine hear them).
        var room = server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!;
        var now = DateTimeOffset.UtcNow;
        for (int i = 0; i < 205; i++)
        {
            room.Publish(new TranscriptHeard(new TranscriptLine($"line-{i}", adaId, ada.Id, "ada", "Ada", now, now.AddSeconds(1), $"words {i}")));
        }

        var last = await WaitForLogAsync(client, "transcript", e => e.GetProperty("id").GetString() == "line-204");
        Assert.Equal(200, last.GetProperty("kept").GetInt32());
        Assert.Equal(205, await client.Page.EvaluateAsync<int>("() => eventsOf('transcript').length"));
        var kept = await CallAsync(client, "meeting.ai.transcripts.map(t => t.transcript)");
        Assert.Equal(Enumerable.Range(5, 200).Select(i => $"words {i}"), kept.EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task AHostTakesTwoClientsIntoABreakoutRoomWhereTheySeeEachOtherAndClosingItBringsThemBack()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"workshop"}""");
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var a = await StartAsync(browser, ada.Token, "Ada");
        var b = await StartAsync(browser, bob.Token, "Bob");
        foreach (var client in new[] { a, b })
        {
            await CallAsync(client, "meeting.self.enableVideo()");
        }

        await SeesAsync(b, a, "in the main meeting");

        // Ada makes a room: Bob's module lists it. She moves both of them there: each module follows on its own.
        var rooms = await CallAsync(a, "meeting.connectedMeetings.createMeetings([{ title: 'Room A' }])");
        string room = rooms[0].GetProperty("id").GetString()!;
        await Eventually.MatchAsync(() => b.Page.EvaluateAsync<string[]>("() => meeting.connectedMeetings.meetings.map(m => m.title)"), t => t.SequenceEqual(["Room A"]),
            "Bob's module listing Room A");
        await CallAsync(a, $"meeting.connectedMeetings.moveParticipants('{meeting}', '{room}', ['{bob.Id}', '{ada.Id}'])");
        foreach (var client in new[] { a, b })
        {
            await Eventually.MatchAsync(() => client.Page.EvaluateAsync<string>("() => meeting.meta.meetingId"), id => id == room, "the module in Room A");
        }

        // There, each sees the other's camera (published again in the room), and its chat is the room's.
        await SeesAsync(b, a, "in Room A");
        await SeesAsync(a, b, "in Room A");
        await CallAsync(a, "meeting.chat.sendTextMessage('in the room')");
        await Eventually.MatchAsync(() => b.Page.EvaluateAsync<string[]>("() => meeting.chat.messages.map(m => m.message)"), m => m.Contains("in the room"), "Bob reading the room's chat");

        // Ada closes the room from inside: both come back to the main meeting, with media, the room's chat left behind.
        await CallAsync(a, $"meeting.connectedMeetings.deleteMeetings(['{room}'])");
        foreach (var client in new[] { a, b })
        {
            await Eventually.MatchAsync(() => client.Page.EvaluateAsync<string>("() => meeting.meta.meetingId"), id => id == meeting, "the module back in the main meeting");
        }

        await SeesAsync(b, a, "back in the main meeting");
        Assert.DoesNotContain("in the room", await b.Page.EvaluateAsync<string[]>("() => meeting.chat.messages.map(m => m.message)"));
        Assert.Equal([room, meeting], await b.Page.EvaluateAsync<string[]>("() => eventsOf('meetingChanged')"));
        Assert.Equal([room, meeting], await b.Page.EvaluateAsync<string[]>("() => eventsOf('changingMeeting')"));
    }

    /// <summary>Waits until <paramref name="viewer"/> decodes <paramref name="seen"/>'s camera (its peer id now, which a move changes).</summary>
    private static async Task SeesAsync(ModulePage viewer, ModulePage seen, string where)
    {
        string id = await seen.SelfIdAsync();
        await Eventually.MatchAsync(() => viewer.Page.EvaluateAsync<int>("id => framesFrom(id)", id), f => f > 30, $"{where}: the viewer decoding the camera of {id}",
            TimeSpan.FromSeconds(45));
    }

    private Task<ModulePage> StartAsync(Browser browser, string token, string? name) => ModulePage.StartAsync(browser, server.HttpBase, token, name);

    private static Task<JsonElement> CallAsync(ModulePage client, string expression) => client.CallAsync(expression);

    private static Task<JsonElement> WaitForLogAsync(ModulePage client, string kind, Func<JsonElement, bool> match, TimeSpan? timeout = null) =>
        client.WaitForLogAsync(kind, match, timeout);
}
