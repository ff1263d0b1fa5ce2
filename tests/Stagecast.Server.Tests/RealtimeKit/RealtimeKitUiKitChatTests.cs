using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Chat in RealtimeKit's unmodified UI kit (&lt;rtk-meeting&gt;, 2.0.2) in Chromium: an image sent by another peer's
/// SDK (<c>sendImageMessage</c>, through the server's <c>chat-upload</c>) shows in the kit's chat as a picture that
/// decodes, with the default preset (the protocol and its limits: <see cref="RealtimeKitChatTests"/>).
/// </summary>
public sealed class RealtimeKitUiKitChatTests
{
    // The SDK sends an image only when the sender's preset has chat.public.files (otherwise it logs and returns,
    // silently): the default presets allow it, as an app expects of a group call.
    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task AnImageSentByOnePeerShowsDecodedInTheOthersUiKitChat()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");
        var adaPage = await browser.JoinAsync(ada.Token, media: false);

        // Bob's app is the UI kit, its chat open in the sidebar.
        var bobPage = await browser.OpenAsync();
        await bobPage.InitAsync(bob.Token, browser.BaseUri, media: false);
        await bobPage.OpenUiKitAsync();
        await Eventually.MatchAsync(bobPage.UiKitAsync, u => u.Names.Contains("Ada"), "Bob's UI kit to show Ada", TimeSpan.FromSeconds(60));
        await bobPage.OpenUiKitChatAsync();

        await adaPage.SendImageAsync(48, 32);
        var image = await Eventually.MatchAsync(bobPage.UiKitChatImagesAsync, images => images.Any(i => i.NaturalWidth > 0), "the picture to decode in Bob's UI kit chat",
            describe: images => string.Join(", ", images.Select(i => $"{i.Src} ({i.NaturalWidth} px)")));
        // One picture, of the one message. Bob's kit sometimes renders it twice (same link); not from the server telling
        // him twice (MeetingRoomTests.AClientAdmittedWhileStillAChatMemberHearsAMessageOnce): not found yet (docs/realtimekit.md).
        Assert.Equal(48, Assert.Single(image.DistinctBy(i => i.Src)).NaturalWidth);
    }
}
