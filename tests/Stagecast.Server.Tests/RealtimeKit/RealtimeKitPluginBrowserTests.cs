using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Stagecast's shared notes plugin (<c>/plugins/notes</c>) in two pages of RealtimeKit's unmodified SDK 2.0.2: the host
/// opens it and the guest's page shows it; what one types shows in the other's frame; the host closes it and it closes
/// on the guest's page too (late joiners: <see cref="RealtimeKitPluginTests"/>). The same on SDK 1.5.1 with the pad
/// registered for the app (<c>POST /plugins</c>), where the pad's frame also sends its own events (plugin events 7, 8).
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class RealtimeKitPluginBrowserTests
{
    [Fact]
    public async Task AHostOpensTheNotesPadAndANoteTypedInOneShowsInTheOther()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host");
        var guest = await api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        string notes = $"https://{browser.BaseUri}/plugins/notes";
        var hostPage = await browser.OpenAsync();
        await hostPage.InitWithPluginAsync(host.Token, browser.BaseUri, "notes", notes);
        await hostPage.JoinAsync();
        var guestPage = await browser.OpenAsync();
        await guestPage.InitWithPluginAsync(guest.Token, browser.BaseUri, "notes", notes);
        await guestPage.JoinAsync();

        await hostPage.ActivatePluginAsync("notes");
        await Eventually.TrueAsync(async () => await guestPage.PluginsAsync() is { Active: ["notes"], Shown: 1 }, "the guest's page to open the plugin");
        await hostPage.Page.FrameLocator("#plugins iframe").Locator("#notes").FillAsync("agenda: plugins");
        await Eventually.TrueAsync(async () => await guestPage.Page.FrameLocator("#plugins iframe").Locator("#notes").InputValueAsync() == "agenda: plugins",
            "the host's note to show in the guest's frame");
        await guestPage.Page.FrameLocator("#plugins iframe").Locator("#notes").FillAsync("agenda: plugins, then lunch");
        await Eventually.TrueAsync(async () => await hostPage.Page.FrameLocator("#plugins iframe").Locator("#notes").InputValueAsync() == "agenda: plugins, then lunch",
            "the guest's note to show in the host's frame");

        await hostPage.DeactivatePluginAsync("notes");
        await Eventually.TrueAsync(async () => await guestPage.PluginsAsync() is { Active: [], Shown: 0 }, "the plugin to close on the guest's page");
    }

    [Fact]
    public async Task On15AHostOpensTheRegisteredNotesPadAndItsFramesEventsReachTheOtherPeer()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string notes = (await api.PostAsync("/plugins", $$"""{"name":"Notes","base_url":"https://{{browser.BaseUri}}/plugins/notes"}""")).EnsureOk().Data.GetProperty("id").GetString()!;
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "group_call_host");
        var guest = await api.AddParticipantAsync(meeting, "guest", "group_call_participant");
        var pages = new List<RealtimeKitPage>();
        foreach (var token in new[] { host.Token, guest.Token })
        {
            var page = await browser.OpenAsync("1.5.1");
            await page.InitAsync(token, browser.BaseUri, media: false);
            await page.ShowPluginViewsAsync();
            await page.JoinAsync();
            pages.Add(page);
        }

        var (hostPage, guestPage) = (pages[0], pages[1]);
        await hostPage.ActivateRegisteredPluginAsync(notes);
        foreach (var page in pages)
        {
            await Eventually.TrueAsync(async () => await page.PluginsAsync() is { Shown: 1 } open && open.Active.SequenceEqual([notes]), "the plugin to open on both pages");
        }

        var hostFrame = await NotesFrameAsync(hostPage);
        var guestFrame = await NotesFrameAsync(guestPage);
        await guestFrame.EvaluateAsync("() => { window.heard = []; addEventListener('message', e => heard.push(e.data)); }");
        await hostPage.Page.FrameLocator("#plugins iframe").Locator("#notes").FillAsync("agenda: plugins");
        await Eventually.TrueAsync(async () => await guestPage.Page.FrameLocator("#plugins iframe").Locator("#notes").InputValueAsync() == "agenda: plugins",
            "the host's note to show in the guest's frame");

        // The host's frame sends its own events as a plugin does (customPluginEventToRoom, then ToPeers naming the guest):
        // the guest's SDK hands both to its frame.
        string guestId = (await hostPage.StateAsync()).Participants.Single().Id;
        await hostFrame.EvaluateAsync("""
            guest => {
              parent.postMessage({ type: (2 << 16) + 7, uuid: crypto.randomUUID(), payload: { eventName: 'cursor', line: 3 } }, '*');
              parent.postMessage({ type: (2 << 16) + 8, uuid: crypto.randomUUID(), payload: { eventName: 'nudge', peerIds: [guest] } }, '*');
            }
            """, guestId);
        await Eventually.TrueAsync(async () => await guestFrame.EvaluateAsync<string>(
                "() => JSON.stringify(heard.filter(m => [0x20007, 0x20008].includes(m.type)).map(m => [m.type - 0x20000, m.payload.data.eventName]))")
                == """[[7,"cursor"],[8,"nudge"]]""",
            "the host frame's events to reach the guest's frame");

        await hostPage.DeactivateRegisteredPluginAsync(notes);
        await Eventually.TrueAsync(async () => await guestPage.PluginsAsync() is { Active: [], Shown: 0 }, "the plugin to close on the guest's page");
    }

    /// <summary>The page's frame of the notes pad, once it has loaded.</summary>
    private static Task<Microsoft.Playwright.IFrame> NotesFrameAsync(RealtimeKitPage page) =>
        Eventually.MatchAsync(() => page.Page.Frames.FirstOrDefault(f => f.Url.Contains("/plugins/notes", StringComparison.Ordinal)), f => f is not null, "the notes pad's frame")!;
}
