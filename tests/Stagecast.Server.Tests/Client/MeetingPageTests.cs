using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Client;

/// <summary>The meeting page (/meet/{id}), built on the client module: two people meet, chat and go live.</summary>
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

    private static async Task AssertAccessibleAsync(IPage page, string what)
    {
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{what}: " + string.Join("; ", serious.Select(v => $"{v.Id}: {v.Help} ({string.Join(", ", v.Nodes.Select(n => n.Html))})")));
    }
}
