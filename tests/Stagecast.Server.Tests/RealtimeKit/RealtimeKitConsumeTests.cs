using Microsoft.Extensions.DependencyInjection;
using Stagecast.RealtimeKit;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Two peers on RealtimeKit's unmodified web SDK, in Chromium with fake devices, in one GROUP_CALL: each consumes the
/// other's microphone and camera over its receive transport (offers of the server's, answered by the SDK) and decodes
/// the video; one turning its camera off is seen by the other. A peer publishing over meeting WHIP (the meeting page,
/// stagecast.js) is consumed the same way, whether the SDK peer was there before it published or joined after. Peers on
/// the SDK's 1.5.1 and 2.0.2 share a call. That call and the UI kit's are the suite's smoke of the SDKs; the others
/// run in the long lane (<see cref="LongLane"/>), their server's side tested in process
/// (<see cref="RealtimeKitSocketMediaTests"/>, <see cref="MeetingRouterMediaTests"/>).
/// </summary>
public sealed class RealtimeKitConsumeTests
{
    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task TwoSdkPeersSeeAndHearEachOther()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");

        // Ada joins first and publishes; Bob joins after, so he learns her producers from selfJoinComplete, and she
        // learns his from the broadcasts.
        var adaPage = await browser.JoinAsync(ada.Token);
        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();
        await Eventually.TrueAsync(() => transport.Sessions.OfType<SfuPublisher>().SelectMany(p => p.Publications).Any(p => p.Video is not null && p.Audio is not null), "Ada's camera and microphone published");
        string adaStream = transport.Sessions.OfType<SfuPublisher>().SelectMany(p => p.Publications).Single().StreamId;
        var bobPage = await browser.JoinAsync(bob.Token);

        var bobSeesAda = await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.VideoLive && p.AudioLive && p.FramesDecoded > 30),
            "Bob decoding Ada's video, her audio live", TimeSpan.FromSeconds(60));
        var adaSeesBob = await adaPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == bob.Id && p.VideoLive && p.AudioLive && p.FramesDecoded > 30),
            "Ada decoding Bob's video, his audio live", TimeSpan.FromSeconds(60));
        Assert.Single(bobSeesAda.Participants);
        Assert.Single(adaSeesBob.Participants);
        var consumers = transport.Sessions.OfType<SfuReceiveSession>().SelectMany(s => s.Consumers).ToList();
        Assert.Equal(4, consumers.Count); // each receives the other's audio and video
        Assert.All(consumers, c => Assert.True(c.Forwarded > 0, $"consumer {c.Mid} of {c.Stream.Id} forwarded nothing"));

        // Ada turns her camera off: Bob sees it off, and closes his consumer of it (media.closeConsumer, his offer).
        await adaPage.DisableVideoAsync();
        await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && !p.VideoEnabled), "Bob seeing Ada's camera off");
        await Eventually.TrueAsync(() => ConsumersOf(transport, adaStream).Count == 1, "Bob's consumer of Ada's video closed");
        // (The page's frames reach the test after the server has acted on them.)
        await Eventually.TrueAsync(() => SentEvents(bobPage).Contains(RealtimeKitEvents.Media.CloseConsumer), "Bob's closeConsumer among his page's frames");

        // She turns it on again: Bob consumes it again, on the m-line his closed consumer left, and decodes it.
        long decoded = (await bobPage.StateAsync()).Participants.Single().FramesDecoded;
        await adaPage.EnableVideoAsync();
        await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.VideoEnabled && p.VideoLive && p.FramesDecoded > decoded + 30),
            "Bob decoding Ada's video again", TimeSpan.FromSeconds(60));
        Assert.Equal(2, ConsumersOf(transport, adaStream).Count);
        Assert.Equal(2, SentEvents(bobPage).Count(e => e == RealtimeKitEvents.Media.Consume));
    }

    [Trait(LongLane.Trait, LongLane.Name)]
    [Fact]
    public async Task SdkPeersSeeAndHearAPeerPublishingOverMeetingWhip()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bea = await api.AddParticipantAsync(meeting, "bea", "group_call_host", name: "Bea");
        var carl = await api.AddParticipantAsync(meeting, "carl", "group_call_host", name: "Carl");

        // Ada is in the meeting before Carl publishes (she learns of him from the broadcasts), Bea joins after (from selfJoinComplete).
        var adaPage = await browser.JoinAsync(ada.Token);
        var carlPage = await MeetingPage.JoinAsync(browser.Browser, server.HttpBase, carl);
        await carlPage.PublishAsync();
        await carlPage.WaitForPeerMediaAsync(carlPage.PeerId, video: true, audio: true);
        var beaPage = await browser.JoinAsync(bea.Token);

        foreach (var (page, name) in new[] { (adaPage, "Ada"), (beaPage, "Bea") })
        {
            await page.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == carl.Id && p.VideoLive && p.AudioLive && p.FramesDecoded > 30),
                $"{name} decoding Carl's video, his audio live", TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public async Task PeersOnTheSdks151And202SeeAndHearEachOther()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");

        var adaPage = await browser.JoinAsync(ada.Token, sdkVersion: "1.5.1");
        var bobPage = await browser.JoinAsync(bob.Token);
        await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.VideoLive && p.AudioLive && p.FramesDecoded > 30),
            "Bob (2.0.2) decoding the video of Ada (1.5.1), her audio live", TimeSpan.FromSeconds(60));
        await adaPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == bob.Id && p.VideoLive && p.AudioLive && p.FramesDecoded > 30),
            "Ada (1.5.1) decoding Bob's video, his audio live", TimeSpan.FromSeconds(60));
    }

    [Trait(LongLane.Trait, LongLane.Name)]
    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task TheActiveSpeakerIsThePeerWhoseMicrophoneSounds(string sdk)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");

        // Ada's microphone plays a tone (its levels ride in her RTP, RFC 6464); Bob has none. The room's speaker reaches
        // each SDK as media.selectedPeerDiff, which makes it meeting.participants.lastActiveSpeaker; Bob, who joins after
        // she became the speaker, is told at his selfJoinComplete, and a channel client in its join answer.
        var adaPage = await browser.JoinAsync(ada.Token, sdkVersion: sdk, tone: true);
        await adaPage.WaitForStateAsync(s => s.ActiveSpeaker == s.Self.Id, "Ada the active speaker for herself, under her own peer id");
        var room = rtk.Server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!;
        Assert.Equal(room.Peers.Single().Id, room.ActiveSpeaker);
        var bobPage = await browser.JoinAsync(bob.Token, media: false, sdkVersion: sdk);
        var seen = await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.AudioLive), "Bob hearing Ada", TimeSpan.FromSeconds(60));
        string adaAsBobSeesHer = seen.Participants.Single().Id;
        await bobPage.WaitForStateAsync(s => s.ActiveSpeaker == adaAsBobSeesHer, "Ada the active speaker for Bob");

        // A late joiner on Stagecast's JSON channel finds her in its join answer.
        var cy = await api.AddParticipantAsync(meeting, "cy", "group_call_participant", name: "Cy");
        await using var channel = await RealtimeTestClient.ConnectAsync(rtk.Server.HttpBase, cy.Token, rtk.Certificate);
        Assert.Equal(room.ActiveSpeaker, (await channel.OkAsync("join")).GetProperty("active_speaker").GetString());
    }

    [Fact]
    public async Task TheUiKitShowsATwoTileCallWithTheRemoteVideoPlaying()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");
        var adaPage = await browser.JoinAsync(ada.Token);

        // Bob's app is RealtimeKit's UI kit: <rtk-meeting> joins by itself and lays out the call.
        var bobPage = await browser.OpenAsync();
        await bobPage.InitAsync(bob.Token, browser.BaseUri);
        await bobPage.OpenUiKitAsync();

        var ui = await Eventually.MatchAsync(bobPage.UiKitAsync, u => u.Tiles == 2 && u.PlayingRemoteVideos == 1, "Bob's UI kit: two tiles, Ada's video playing",
            TimeSpan.FromSeconds(60));
        Assert.Contains("Ada", ui.Names);
    }

    /// <summary>The consumers reading the meeting stream <paramref name="streamId"/>, on whichever receive transport.</summary>
    private static IReadOnlyList<SfuConsumer> ConsumersOf(WebRtcTransport transport, string streamId) =>
        [.. transport.Sessions.OfType<SfuReceiveSession>().SelectMany(s => s.Consumers).Where(c => c.Stream.Id == streamId)];

    private static IEnumerable<uint> SentEvents(RealtimeKitPage page) =>
        page.Frames.Where(f => f.Sent).Select(f => f.Event).OfType<uint>();
}
