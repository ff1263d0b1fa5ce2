using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Stagecast's shared notes plugin (<c>/plugins/notes</c>) in two pages of RealtimeKit's unmodified SDK 2.0.2: the host
/// opens it and the guest's page shows it; what one types shows in the other's frame; the host closes it and it closes
/// on the guest's page too (late joiners: <see cref="RealtimeKitPluginTests"/>).
/// </summary>
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
}
