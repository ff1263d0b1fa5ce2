using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Web;

/// <summary>The dashboard in Debian's Chromium, used as a new user would: sign in, create, publish, watch, restream.</summary>
public sealed class DashboardTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task ANewUserSignsInCreatesALivestreamSeesItGoLiveWithViewersAndAddsAnOutput()
    {
        var tenant = await server.NewTenantAsync();
        await using var browser = await Browser.LaunchAsync();
        // Opened on another name of the server than the public URL's (the first start prints localhost, the API names
        // the bind address): the page's CSP allows its own origin only, and refused pictures the API's URLs named.
        string opened = server.HttpBase.Replace("//127.0.0.1:", "//localhost:", StringComparison.Ordinal);
        Assert.NotEqual(server.HttpBase, opened);
        var page = await browser.OpenUrlAsync($"{opened}/dashboard?account={tenant.AccountId}&app={tenant.AppId}");
        var requested = new System.Collections.Concurrent.ConcurrentQueue<string>(); // the page keeps requesting while the test reads it
        page.Request += (_, request) => requested.Enqueue(request.Url);

        // A wrong token is a readable message, not a blank page.
        await page.GetByLabel("API token").FillAsync("sct_wrong");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Could not sign in: That token was not accepted");

        await page.GetByLabel("API token").FillAsync(tenant.Token);
        await page.GetByLabel("API token").PressAsync("Enter"); // the keyboard is enough
        await Assertions.Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Livestreams" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("API token")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('stagecast.auth')")); // the token stays in this tab
        Assert.Contains(tenant.Token, await page.EvaluateAsync<string>("() => sessionStorage.getItem('stagecast.auth')"));

        // An invalid name is refused with the API's own message.
        await page.EvaluateAsync("() => document.getElementById('create-name').removeAttribute('pattern')");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("not valid!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create livestream" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Could not create the livestream: BAD_REQUEST");

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("studio-a");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create livestream" }).ClickAsync();
        var card = page.GetByRole(AriaRole.Article, new() { Name = "Livestream studio-a" });
        await Assertions.Expect(card).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeHiddenAsync();
        string id = (await card.GetAttributeAsync("data-livestream-id"))!;
        var livestream = (await tenant.GetLivestreamAsync(id)).GetProperty("livestream");
        string key = livestream.GetProperty("stream_key").GetString()!;
        string ingest = livestream.GetProperty("ingest_server").GetString()!;

        // The key is hidden until asked for.
        var keyText = card.Locator(".key");
        await Assertions.Expect(keyText).ToBeHiddenAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Show stream key" }).ClickAsync();
        await Assertions.Expect(keyText).ToHaveTextAsync(key);
        await card.GetByRole(AriaRole.Button, new() { Name = "Hide stream key" }).ClickAsync();
        await Assertions.Expect(keyText).ToBeHiddenAsync();
        await Assertions.Expect(card).ToContainTextAsync(ingest);
        var thumbnail = card.Locator("img.thumbnail");
        await Assertions.Expect(thumbnail).ToBeHiddenAsync(); // an idle livestream has no picture

        await using var publisher = Ffmpeg.Publish($"{ingest}/{key}".Replace("localhost", "127.0.0.1"), Ffmpeg.AudioVideo(90, "320x180"));
        await Assertions.Expect(card.Locator(".status")).ToHaveTextAsync("LIVE", new() { Timeout = 20_000 });
        await Assertions.Expect(card.Locator(".tracks")).ToContainTextAsync("320x180", new() { Timeout = 10_000 });
        await Assertions.Expect(card.Locator(".bitrate")).ToContainTextAsync("bit/s");

        // A live one shows its picture, by the path the API names, 320 wide.
        await Assertions.Expect(card.GetByRole(AriaRole.Img, new() { Name = "Latest picture of studio-a" })).ToBeVisibleAsync(new() { Timeout = 20_000 });
        Assert.StartsWith($"{new Uri(livestream.GetProperty("thumbnail_url").GetString()!).AbsolutePath}?width=320", await thumbnail.GetAttributeAsync("src"));
        Assert.Equal(320, await thumbnail.EvaluateAsync<int>("img => img.naturalWidth"));

        // Someone opens the watch link: the count rises on the dashboard without a reload.
        var viewer = await browser.OpenUrlAsync($"{server.HttpBase}/watch/{id}");
        await WatchPageTests.WaitForStateAsync(viewer, "live");
        await Assertions.Expect(card.Locator(".viewers")).ToHaveTextAsync("1", new() { Timeout = 30_000 });

        await card.Locator("summary").ClickAsync();
        await card.GetByLabel("Destination URL").FillAsync("rtmp://127.0.0.1:9/live");
        await card.GetByLabel("Destination stream key").FillAsync("dest-key");
        await card.GetByRole(AriaRole.Button, new() { Name = "Add output" }).ClickAsync();
        var outputRow = card.GetByRole(AriaRole.Row).Filter(new() { HasText = "rtmp://127.0.0.1:9/live" });
        await Assertions.Expect(outputRow).ToBeVisibleAsync();
        await Assertions.Expect(outputRow).ToContainTextAsync("connection refused", new() { Timeout = 20_000, IgnoreCase = true });
        Assert.Single((await tenant.GetAsync($"/livestreams/{id}/outputs")).EnsureOk().Data.EnumerateArray());
        await Browser.ScreenshotAsync(page, "dashboard");

        await card.GetByRole(AriaRole.Button, new() { Name = "Disable" }).First.ClickAsync();
        await Assertions.Expect(card.Locator(".status")).ToHaveTextAsync("DISABLED");
        await Assertions.Expect(thumbnail).ToBeHiddenAsync();

        await page.SetViewportSizeAsync(390, 844);
        await Browser.ScreenshotAsync(page, "dashboard-phone");
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the dashboard scrolls sideways on a phone");

        foreach (var tab in new[] { "Webhooks", "Meetings", "Analytics" })
        {
            await page.GetByRole(AriaRole.Tab, new() { Name = tab }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Tabpanel)).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeHiddenAsync();
        }

        await Assertions.Expect(page.GetByRole(AriaRole.Img, new() { Name = "Ingest (blue) and watched (green) minutes per day" })).ToBeVisibleAsync();
        Assert.All(requested, url => Assert.StartsWith(opened, url));
    }

    [Fact]
    public async Task AMeetingIsCreatedAndJoinedFromTheDashboard()
    {
        var tenant = await server.NewTenantAsync();
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await browser.OpenUrlAsync($"{server.HttpBase}/dashboard?account={tenant.AccountId}&app={tenant.AppId}");
        await page.GetByLabel("API token").FillAsync(tenant.Token);
        await page.GetByLabel("API token").PressAsync("Enter");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Meetings" }).ClickAsync();

        await page.GetByLabel("Title").FillAsync("Standup");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create meeting" }).ClickAsync();
        await page.GetByLabel("Participant name").FillAsync("Ada");
        await page.GetByLabel("Preset").SelectOptionAsync("group_call_participant");
        // The dashboard polls every 2 s; what is typed survives it. Two polls answered: the first one's list is drawn
        // before the next starts.
        for (int poll = 0; poll < 2; poll++)
        {
            await page.WaitForResponseAsync(response => response.Url.Contains("/meetings?per_page=", StringComparison.Ordinal));
        }

        await Assertions.Expect(page.GetByLabel("Participant name")).ToHaveValueAsync("Ada");
        await Assertions.Expect(page.GetByLabel("Preset")).ToHaveValueAsync("group_call_participant");
        await page.GetByLabel("Preset").SelectOptionAsync("group_call_host");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add participant" }).ClickAsync();
        var join = page.GetByRole(AriaRole.Button, new() { Name = "Join as Ada" });
        await Assertions.Expect(join).ToBeVisibleAsync();
        await Browser.ScreenshotAsync(page, "dashboard-meetings");

        // The button opens the meeting page with a token of Ada's; she joins and is in the meeting.
        var meetingPage = await page.RunAndWaitForPopupAsync(() => join.ClickAsync());
        await Assertions.Expect(meetingPage).ToHaveURLAsync(new Regex("/meet/"));
        await meetingPage.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(meetingPage.Locator("#title")).ToHaveTextAsync("Standup", new() { Timeout = 20_000 });
        await Assertions.Expect(meetingPage.Locator(".tile .name")).ToContainTextAsync("Ada (you)");
    }

    [Fact]
    public async Task AParticipantAddedOverTheApiIsJoinedAsAndAMeetingsLivestreamShowsItsMeetingAndItsControls()
    {
        var tenant = await server.NewTenantAsync();
        string meeting = await tenant.CreateMeetingAsync("""{"title":"Town hall"}""");
        await tenant.AddParticipantAsync(meeting, "bob-from-the-app", "group_call_host", "Bob");
        string livestream = (await tenant.PostAsync($"/meetings/{meeting}/livestreams")).EnsureOk().Data.GetProperty("id").GetString()!;

        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await browser.OpenUrlAsync($"{server.HttpBase}/dashboard?account={tenant.AccountId}&app={tenant.AppId}");
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GetByLabel("API token").FillAsync(tenant.Token);
        await page.GetByLabel("API token").PressAsync("Enter");

        // The meeting's livestream is named by its meeting, with the controls that apply to a composited stream.
        var card = page.Locator($"article[data-livestream-id='{livestream}']");
        await Assertions.Expect(card.Locator(".name")).ToHaveTextAsync("Meeting Town hall");
        await Assertions.Expect(card).ToContainTextAsync("composited program");
        foreach (string absent in new[] { "Disable", "Reset stream key", "Show stream key", "Copy stream key" })
        {
            await Assertions.Expect(card.GetByRole(AriaRole.Button, new() { Name = absent })).ToHaveCountAsync(0);
        }

        await card.GetByRole(AriaRole.Button, new() { Name = "Stop livestream" }).ClickAsync();
        await tenant.WaitForStatusAsync(livestream, "IDLE");
        await Assertions.Expect(card.GetByRole(AriaRole.Button, new() { Name = "Stop livestream" })).ToBeHiddenAsync();

        // Each start makes a new livestream: ended ones are collapsed under the list, not piled up as IDLE cards.
        var ended = page.Locator("details.ended-meeting-livestreams > summary");
        await Assertions.Expect(ended).ToHaveTextAsync("Ended meeting livestreams (1)");
        await Assertions.Expect(card).ToBeHiddenAsync();
        await ended.ClickAsync();
        await Assertions.Expect(card).ToBeVisibleAsync();
        await Assertions.Expect(card.Locator(".status")).ToHaveTextAsync("IDLE");

        // Bob was added by the app, not the dashboard: he can be joined as all the same.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Meetings" }).ClickAsync();
        await page.GetByText("Join as a participant").ClickAsync();
        var meetingPage = await page.RunAndWaitForPopupAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Join as Bob" }).ClickAsync());
        // The address is polled: waiting for a navigation event missed popups that committed just before the wait began.
        await Assertions.Expect(meetingPage).ToHaveURLAsync(new Regex($"/meet/{meeting}"));
        await meetingPage.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await Assertions.Expect(meetingPage.Locator(".tile .name")).ToContainTextAsync("Bob (you)", new() { Timeout = 20_000 });
    }
}
