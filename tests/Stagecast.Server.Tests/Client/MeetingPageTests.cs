using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Client;

/// <summary>The meeting page (/meet/{id}), built on the client module: two people meet, chat and go live.</summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class MeetingPageTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task TwoPagesJoinEachOtherChatAndGoLiveWithTheComposite()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Page meeting"}""");
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);

        var adaPage = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={ada.Token}&name=Ada");
        await AssertAccessibleAsync(adaPage, "the lobby");
        await Browser.ScreenshotAsync(adaPage, "meeting-lobby");
        await JoinAsync(adaPage);
        Assert.Equal("", new Uri(adaPage.Url).Fragment); // the token left the address bar
        var bobPage = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={bob.Token}&name=Bob", width: 390, height: 844);
        await JoinAsync(bobPage);

        // Each sees the other's picture with a name.
        await SeesPictureAsync(adaPage, "Bob");
        await SeesPictureAsync(bobPage, "Ada");
        Assert.Equal("Page meeting", await adaPage.InnerTextAsync("#title"));

        // Chat.
        await bobPage.FillAsync("#chat-text", "hi from the phone");
        await bobPage.ClickAsync("#chat-form button[type=submit]");
        await adaPage.WaitForSelectorAsync("#messages li:has-text('hi from the phone')");

        // Only Ada may go live; she does, with the meeting's composite, and gets the playback link.
        Assert.True(await bobPage.IsHiddenAsync("#live-panel"));
        await adaPage.ClickAsync("#go-live");
        await adaPage.WaitForSelectorAsync("#live-state:has-text('LIVESTREAMING')", new PageWaitForSelectorOptions { Timeout = 40_000 });
        Assert.True(await adaPage.IsVisibleAsync("#playback-link"));
        await AssertAccessibleAsync(adaPage, "the meeting");
        await AssertAccessibleAsync(bobPage, "the meeting on a phone");
        await Browser.ScreenshotAsync(adaPage, "meeting-page");
        await Browser.ScreenshotAsync(bobPage, "meeting-page-phone");

        await adaPage.ClickAsync("#end-live");
        await adaPage.WaitForSelectorAsync("#live-state:has-text('IDLE')", new PageWaitForSelectorOptions { Timeout = 20_000 });
    }

    [Fact]
    public async Task ABadTokenIsAReadableErrorAndTheLobbyStaysUsable()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token=not-a-token");
        await page.ClickAsync("#join");
        await page.WaitForSelectorAsync("#error:not([hidden])");
        Assert.Contains("token", await page.InnerTextAsync("#error"), StringComparison.OrdinalIgnoreCase);
        Assert.True(await page.IsVisibleAsync("#join-form"));
    }

    [Fact]
    public async Task JoinIsDisabledUntilThePageIsWiredSoAnEarlyClickIsNotLost()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await browser.OpenUrlAsync("about:blank");
        var script = new TaskCompletionSource();
        await page.RouteAsync("**/assets/meet.js", async route =>
        {
            await script.Task;
            await route.ContinueAsync();
        });

        // A popup opened by the dashboard is clicked as soon as its HTML is there, before its module script has run.
        await page.GotoAsync($"{server.HttpBase}/meet/{meeting}#token={ada.Token}&name=Ada", new() { WaitUntil = WaitUntilState.Commit });
        await Assertions.Expect(page.Locator("#join")).ToBeDisabledAsync();
        script.SetResult();
        await JoinAsync(page);
    }

    [Fact]
    public async Task ABrowserWithoutCameraOrMicrophoneStillJoinsToWatchAndChat()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var withMedia = await Browser.LaunchAsync(Browser.WebRtcArgs);
        await using var withoutMedia = await Browser.LaunchAsync(); // no fake devices: getUserMedia fails
        var adaPage = await withMedia.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={ada.Token}&name=Ada");
        await JoinAsync(adaPage);

        var bobPage = await withoutMedia.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={bob.Token}&name=Bob");
        await JoinAsync(bobPage);
        await bobPage.WaitForSelectorAsync("#error:not([hidden])");
        await SeesPictureAsync(bobPage, "Ada");
        await bobPage.FillAsync("#chat-text", "watching without a camera");
        await bobPage.ClickAsync("#chat-form button[type=submit]");
        await adaPage.WaitForSelectorAsync("#messages li:has-text('watching without a camera')");
        await Browser.ScreenshotAsync(bobPage, "meeting-page-no-camera");
    }

    [Fact]
    public async Task TheLobbyNamesTheMeetingAndEveryoneSeesWhenItIsRecorded()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Board meeting"}""");
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada Lovelace");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);

        // Before joining, the lobby knows the meeting by its token: its title, and the participant's name.
        var adaPage = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={ada.Token}");
        await adaPage.WaitForSelectorAsync("#lobby-heading:has-text('Join Board meeting')");
        Assert.Equal("Board meeting", await adaPage.InnerTextAsync("#title"));
        Assert.Equal("Ada Lovelace", await adaPage.InputValueAsync("#name"));
        await JoinAsync(adaPage);
        Assert.True(await adaPage.IsHiddenAsync("#recording-badge"));

        // A recording starts (through the API): everyone in the meeting sees it, one joining later too; it stops.
        var started = (await api.PostAsync("/recordings", System.Text.Json.JsonSerializer.Serialize(new { meeting_id = meeting, video_config = new { width = 320, height = 180 } }))).EnsureOk().Data;
        await adaPage.WaitForSelectorAsync("#recording-badge:has-text('Recording')", new PageWaitForSelectorOptions { Timeout = 30_000 });
        var bobPage = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={bob.Token}&name=Bob");
        await JoinAsync(bobPage);
        await bobPage.WaitForSelectorAsync("#recording-badge:has-text('Recording')");
        await Browser.ScreenshotAsync(bobPage, "meeting-page-recorded");
        (await api.SendAsync(HttpMethod.Put, $"/recordings/{started.GetProperty("id").GetString()}", """{"action":"stop"}""")).EnsureOk();
        await adaPage.WaitForSelectorAsync("#recording-badge", new PageWaitForSelectorOptions { State = WaitForSelectorState.Hidden, Timeout = 30_000 });
        await bobPage.WaitForSelectorAsync("#recording-badge", new PageWaitForSelectorOptions { State = WaitForSelectorState.Hidden, Timeout = 30_000 });
    }

    [Fact]
    public async Task AWebinarAttendeeRaisesAHandIsDeniedThenAcceptedAndRemovedByTheHost()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Webinar"}""");
        var host = await api.AddParticipantAsync(meeting, "host", "webinar_host", name: "Hana");
        var attendee = await api.AddParticipantAsync(meeting, "attendee", "webinar_viewer", name: "Ade");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var hostPage = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={host.Token}");
        await JoinAsync(hostPage);
        var attendeePage = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={attendee.Token}");
        await JoinAsync(attendeePage);

        // The attendee watches the host and is in the host's audience, not on its stage; it has no media buttons.
        await SeesPictureAsync(attendeePage, "Hana");
        await hostPage.WaitForSelectorAsync("#audience li:has-text('Ade')");
        Assert.Equal(0, await hostPage.Locator(".tile:has-text('Ade')").CountAsync());
        Assert.True(await attendeePage.IsHiddenAsync("#toggle-camera"));

        // It raises a hand; the host turns it down; it asks again and the host accepts; it joins the stage and is seen.
        await attendeePage.ClickAsync("#raise-hand");
        await hostPage.ClickAsync("[aria-label='Deny Ade the stage']");
        await attendeePage.WaitForSelectorAsync("#stage-note:has-text('turned your request down')");
        await attendeePage.ClickAsync("#raise-hand:has-text('Raise hand')");
        await hostPage.WaitForSelectorAsync("#stage-requests li:has-text('Ade')");
        await AssertAccessibleAsync(hostPage, "the host's stage requests");
        await Browser.ScreenshotAsync(hostPage, "meeting-page-stage-request");
        await hostPage.ClickAsync("[aria-label='Accept Ade on the stage']");
        await attendeePage.ClickAsync("#join-stage");
        await SeesPictureAsync(hostPage, "Ade");
        Assert.True(await attendeePage.IsVisibleAsync("#toggle-camera"));

        // The host removes it from the stage: it is back in the audience, and may raise a hand again.
        await hostPage.ClickAsync("[aria-label='Remove Ade from the stage']");
        await hostPage.WaitForSelectorAsync(".tile:has-text('Ade')", new PageWaitForSelectorOptions { State = WaitForSelectorState.Detached });
        await hostPage.WaitForSelectorAsync("#audience li:has-text('Ade')");
        await attendeePage.WaitForSelectorAsync("#raise-hand:has-text('Raise hand')");
        Assert.True(await attendeePage.IsHiddenAsync("#toggle-camera"));
        await AssertAccessibleAsync(attendeePage, "the audience's view");
    }

    [Fact]
    public async Task ALivestreamAudienceWatchesTheLivestreamAndMovesOnStageAndBackWithoutAReload()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Live show"}""");
        var host = await api.AddParticipantAsync(meeting, "host", "livestream_host");
        var viewer = await api.AddParticipantAsync(meeting, "viewer", "livestream_viewer", name: "Vic");
        var (channel, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _ = channel;
        var credentials = (await channel.OkAsync("livestream_start", new { manual_ingest = true })).GetProperty("livestream").GetProperty("ingestion_credentials");
        await using var publisher = Ffmpeg.Publish($"{credentials.GetProperty("ingestion_server").GetString()}/{credentials.GetProperty("stream_key").GetString()}",
            Ffmpeg.AudioVideo(60, "320x180"));
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={viewer.Token}");
        await JoinAsync(page);
        await page.EvaluateAsync("() => window.loadedOnce = true");

        // In the audience the page plays the livestream, not the stage.
        await PlaysLivestreamAsync(page);
        Assert.True(await page.IsHiddenAsync("#stage-area"));
        await Browser.ScreenshotAsync(page, "meeting-page-livestream-audience");

        // Invited on the stage, it joins: the stage shows, its camera goes out (the host hears of it); it leaves again.
        string viewerPeer = await page.EvaluateAsync<string>("() => stagecastMeeting.meeting.self.id");
        await channel.OkAsync("stage_grant", new { user_ids = new[] { viewer.Id } });
        await page.ClickAsync("#join-stage");
        await page.WaitForSelectorAsync("#stage-area:not([hidden]) .tile:has-text('Vic (you)')");
        Assert.True(await page.IsHiddenAsync("#livestream-view"));
        await channel.WaitForEventAsync("peer_updated", m => m.GetProperty("peer").GetProperty("id").GetString() == viewerPeer
            && m.GetProperty("peer").GetProperty("video_enabled").GetBoolean(), TimeSpan.FromSeconds(20));
        await page.ClickAsync("#leave-stage");
        await PlaysLivestreamAsync(page);
        Assert.True(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"));
    }

    /// <summary>The page's livestream player shows frames (a new player counts from zero).</summary>
    private static async Task PlaysLivestreamAsync(IPage page)
    {
        await page.WaitForSelectorAsync("#livestream-view:not([hidden]) #livestream-offline[hidden]", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached, Timeout = 30_000 });
        await page.WaitForFunctionAsync("() => document.getElementById('livestream-video').getVideoPlaybackQuality().totalVideoFrames > 20", null,
            new PageWaitForFunctionOptions { Timeout = 30_000 });
    }

    [Fact]
    public async Task APictureAttachedOnOnePageShowsInlineOnTheOtherAndTheHostsNotesPadOpensAndClosesForEveryone()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        var carl = await api.AddParticipantAsync(meeting, "carl", "group_call_participant");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var adaPage = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={ada.Token}&name=Ada");
        await JoinAsync(adaPage);
        var bobPage = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={bob.Token}&name=Bob");
        await JoinAsync(bobPage);

        // Ada attaches a picture and a file: Bob sees the picture inline (decoded) and the file as a download link.
        await adaPage.SetInputFilesAsync("#chat-file", new FilePayload { Name = "dot.png", MimeType = "image/png", Buffer = Convert.FromBase64String(ClientModuleFilesAndPluginsTests.PngBase64) });
        await bobPage.WaitForFunctionAsync("() => [...document.querySelectorAll('#messages img')].some(i => i.complete && i.naturalWidth > 0)",
            null, new PageWaitForFunctionOptions { Timeout = 20_000 });
        Assert.Equal("dot.png", await bobPage.GetAttributeAsync("#messages img", "alt"));
        await adaPage.SetInputFilesAsync("#chat-file", new FilePayload { Name = "minutes.txt", MimeType = "text/plain", Buffer = "the minutes"u8.ToArray() });
        await bobPage.WaitForSelectorAsync("#messages a[download='minutes.txt']:has-text('minutes.txt (11 B)')");

        // Bob may not open plugins; Ada opens the notes pad and it opens on Bob's page.
        Assert.True(await bobPage.IsHiddenAsync("#plugins-panel"));
        await adaPage.ClickAsync("#plugin-list button:has-text('Open Shared notes')");
        await bobPage.WaitForSelectorAsync("#plugin-area iframe[title='Shared notes']");
        await adaPage.FrameLocator("#plugin-area iframe").Locator("#notes").FillAsync("agenda: pictures");
        await Eventually.TrueAsync(async () => await bobPage.FrameLocator("#plugin-area iframe").Locator("#notes").InputValueAsync() == "agenda: pictures",
            "Ada's note on Bob's page");
        await AssertAccessibleAsync(adaPage, "the meeting with a picture and a plugin");
        await AssertAccessibleAsync(bobPage, "the meeting with a picture and a plugin, for a participant");
        await Browser.ScreenshotAsync(bobPage, "meeting-page-picture-and-notes");

        // Carl joins later and finds it open, with the note; Ada closes it, and it closes everywhere.
        var carlPage = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={carl.Token}&name=Carl");
        await JoinAsync(carlPage);
        await Eventually.TrueAsync(async () => await carlPage.FrameLocator("#plugin-area iframe").Locator("#notes").InputValueAsync() == "agenda: pictures",
            "the note on Carl's page");
        await adaPage.ClickAsync("#plugin-list button:has-text('Close Shared notes')");
        foreach (var page in new[] { adaPage, bobPage, carlPage })
        {
            await page.WaitForSelectorAsync("#plugin-area", new PageWaitForSelectorOptions { State = WaitForSelectorState.Hidden });
        }
    }

    [Fact]
    public async Task AHostSplitsEveryoneIntoBreakoutRoomsTalksToThemMovesPeopleAndClosesThem()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Workshop"}""");
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host");
        var guests = new[] { await api.AddParticipantAsync(meeting, "ada", "group_call_participant"), await api.AddParticipantAsync(meeting, "bob", "group_call_participant") };
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var hostPage = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={host.Token}&name=Hana");
        await JoinAsync(hostPage);
        var pages = new List<IPage>();
        foreach (var (guest, name) in guests.Zip(new[] { "Ada", "Bob" }))
        {
            var page = await browser.OpenUrlAsync($"{server.HttpBase}/meet/{meeting}#token={guest.Token}&name={name}");
            await JoinAsync(page);
            pages.Add(page);
        }

        await SeesPictureAsync(hostPage, "Ada");
        await SeesPictureAsync(hostPage, "Bob");
        Assert.True(await pages[0].IsHiddenAsync("#breakout-panel")); // a guest sees no breakout controls

        // The host splits everyone into two rooms: each guest is alone in one, and reads which.
        await hostPage.FillAsync("#breakout-count", "2");
        await hostPage.ClickAsync("#breakout-form button[type=submit]");
        var where = new List<string>();
        foreach (var page in pages)
        {
            await page.WaitForSelectorAsync("#breakout-where:has-text('You are in Room')", new PageWaitForSelectorOptions { Timeout = 30_000 });
            where.Add(await page.InnerTextAsync("#breakout-where"));
            await page.WaitForFunctionAsync("() => document.querySelectorAll('.tile').length === 1", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        }

        Assert.Equal(["You are in Room 1.", "You are in Room 2."], where.Order(StringComparer.Ordinal));
        // The host's list: the main meeting (itself only), then each room with its guest and where it may move them.
        await hostPage.WaitForFunctionAsync("() => [...document.querySelectorAll('#breakout-rooms li')].map(li => li.querySelectorAll('select').length).join() === '0,1,1'",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        await AssertAccessibleAsync(hostPage, "the meeting with breakout rooms");

        // The host's word reaches every room.
        await hostPage.FillAsync("#breakout-message", "Five minutes left");
        await hostPage.ClickAsync("#breakout-message-form button[type=submit]");
        foreach (var page in pages)
        {
            await page.WaitForSelectorAsync("#breakout-notice:has-text('Hana to every room: Five minutes left')", new PageWaitForSelectorOptions { Timeout = 30_000 });
        }

        // By hand: the host moves Ada into Bob's room, where she sees him.
        string bobsRoom = where[1]["You are in ".Length..^1];
        await hostPage.SelectOptionAsync("select[aria-label='Move Ada']", new SelectOptionValue { Label = bobsRoom });
        await pages[0].WaitForSelectorAsync($"#breakout-where:has-text('You are in {bobsRoom}.')", new PageWaitForSelectorOptions { Timeout = 30_000 });
        await SeesPictureAsync(pages[0], "Bob");

        // The host's preset may switch: it visits the other room, empty now, and comes back.
        string otherRoom = where[0]["You are in ".Length..^1];
        await hostPage.ClickAsync($"#breakout-switch button:has-text('Go to {otherRoom}')");
        await hostPage.WaitForSelectorAsync($"#breakout-where:has-text('You are in {otherRoom}.')", new PageWaitForSelectorOptions { Timeout = 30_000 });
        await hostPage.ClickAsync("#breakout-switch button:has-text('Back to the main meeting')");
        await hostPage.WaitForFunctionAsync("id => stagecastMeeting.meeting.meta.meetingId === id && document.getElementById('breakout-where').textContent === ''",
            meeting, new PageWaitForFunctionOptions { Timeout = 30_000 });

        // The host closes the rooms: both come back and are seen again.
        await hostPage.ClickAsync("#breakout-close");
        foreach (var page in pages)
        {
            await page.WaitForSelectorAsync("#breakout-panel", new PageWaitForSelectorOptions { State = WaitForSelectorState.Hidden, Timeout = 30_000 });
            await SeesPictureAsync(page, "Hana");
        }

        await SeesPictureAsync(hostPage, "Ada");
        await SeesPictureAsync(hostPage, "Bob");
    }

    private static async Task JoinAsync(IPage page)
    {
        await page.ClickAsync("#join");
        await page.WaitForSelectorAsync("#room:not([hidden])", new PageWaitForSelectorOptions { Timeout = 20_000 });
    }

    private static async Task SeesPictureAsync(IPage page, string name)
    {
        try
        {
            await page.WaitForFunctionAsync(
                "name => [...document.querySelectorAll('.tile')].some(t => t.querySelector('.name').textContent === name && t.querySelector('video').videoWidth > 0)",
                name, new PageWaitForFunctionOptions { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            string state = await page.EvaluateAsync<string>("""
                () => JSON.stringify({ grid: document.getElementById('grid').innerHTML, error: document.getElementById('error').textContent,
                  participants: stagecastMeeting.meeting.participants.joined.toArray().map(p => ({ name: p.name, video: p.videoEnabled, track: !!p.videoTrack,
                    subs: Object.keys(p._subscriptions).filter(k => p._subscriptions[k]) })),
                  videos: [...document.querySelectorAll('.tile video')].map(v => ({ w: v.videoWidth, paused: v.paused, src: !!v.srcObject, ready: v.readyState })) })
                """);
            throw new TimeoutException($"{name}'s picture did not show: {state}");
        }
    }

    /// <summary>No serious or critical accessibility violation on the page (axe-core).</summary>
    internal static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{what}: " + string.Join("; ", serious.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
    }
}
