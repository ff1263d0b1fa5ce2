using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// The stage with RealtimeKit's unmodified SDK (2.0.2 and 1.5.1), in Chromium with fake devices: a WEBINAR attendee
/// joins off the stage, watches and hears the host, asks for the stage; the host's SDK lists the request and grants
/// it; the attendee joins the stage, and the host sees and hears it, turns its microphone off, and sends it off
/// again, and its media ends. An AUDIO_ROOM listener goes the same way with audio only. A LIVESTREAM viewer, watching the meeting's livestream
/// with no WebRTC connection, is brought on the stage over WebRTC and goes back to the livestream. A host on the UI
/// kit accepts a request in the kit's own list and sees the attendee in its grid.
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class RealtimeKitStageTests
{
    [Theory]
    [InlineData("2.0.2", "webinar_host", "webinar_viewer")]
    [InlineData("1.5.1", "webinar_host", "webinar_viewer")]
    [InlineData("2.0.2", "audio_room_host", "audio_room_listener")]
    [InlineData("1.5.1", "audio_room_host", "audio_room_listener")]
    public async Task AnAttendeeAsksIsLetOnIsSeenAndHeardAndIsSentOffAgain(string sdk, string hostPreset, string attendeePreset)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", hostPreset, name: "Hana");
        var attendee = await api.AddParticipantAsync(meeting, "attendee", attendeePreset, name: "Ada");
        bool video = hostPreset != "audio_room_host";
        var hostPage = await browser.JoinAsync(host.Token, sdkVersion: sdk);
        await hostPage.EnableAudioAsync();
        if (video)
        {
            await hostPage.EnableVideoAsync();
        }

        var attendeePage = await browser.JoinAsync(attendee.Token, sdkVersion: sdk);
        bool Sends(RtkParticipant p) => p.AudioLive && (!video || (p.VideoLive && p.FramesDecoded > 10));

        // Off the stage, the attendee watches and hears the host; the host sees it in the audience, producing nothing.
        var watching = await attendeePage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == host.Id && Sends(p)),
            "the attendee to watch and hear the host");
        Assert.Equal("OFF_STAGE", watching.Self.StageStatus);
        Assert.Equal("ON_STAGE", watching.Participants.Single(p => p.UserId == host.Id).StageStatus);
        await hostPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == attendee.Id && p.StageStatus == "OFF_STAGE"), "the host to see the attendee off the stage");
        var room = server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!;
        var router = server.App.Services.GetRequiredService<MeetingMediaService>().Find(room)!;
        var attendeePeer = room.Peers.Single(p => p.Participant.Id == attendee.Id);
        Assert.Empty(router.ProducersOf(attendeePeer));

        // It asks; the host's SDK hears of the request (room event 12) and lists it.
        await attendeePage.RequestStageAsync();
        await hostPage.WaitForStateAsync(s => s.StageEvents.Contains("newStageRequest")
            && s.Participants.Any(p => p.UserId == attendee.Id && p.StageStatus == "REQUESTED_TO_JOIN_STAGE"), "the host to hear of the request");
        Assert.Equal([attendee.Id], await hostPage.StageRequestsAsync());

        // The host grants it; the attendee is approved (room event 15), joins, and is seen and heard.
        await hostPage.GrantStageAsync(attendee.Id);
        var approved = await attendeePage.WaitForStateAsync(s => s.Self.StageStatus == "ACCEPTED_TO_JOIN_STAGE", "the attendee let on");
        Assert.Contains("stageRequestApproved", approved.StageEvents);
        await attendeePage.JoinStageAsync();
        await attendeePage.EnableAudioAsync();
        if (video)
        {
            await attendeePage.EnableVideoAsync();
        }

        Assert.Equal("ON_STAGE", (await attendeePage.StateAsync()).Self.StageStatus);
        await hostPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == attendee.Id && p.StageStatus == "ON_STAGE" && Sends(p)),
            "the host to see and hear the attendee on the stage");
        Assert.Empty(await hostPage.StageRequestsAsync());

        // The host turns its microphone off (media event 93): its own SDK turns the microphone off, and the router pauses it.
        var onStage = (await hostPage.StateAsync()).Participants.Single(p => p.UserId == attendee.Id);
        await hostPage.DisableParticipantAudioAsync(onStage.Id);
        await attendeePage.WaitForStateAsync(s => !s.Self.AudioEnabled, "the attendee's microphone turned off by the host");
        await hostPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == attendee.Id && !p.AudioEnabled), "the host to see the microphone off");
        Assert.All(router.ProducersOf(attendeePeer).Where(p => !p.Video), p => Assert.True(p.Paused));

        // The host sends it off: its SDK leaves the stage, its producers end, the host no longer receives it.
        await hostPage.KickFromStageAsync(attendee.Id);
        await attendeePage.WaitForStateAsync(s => s.Self.StageStatus == "OFF_STAGE", "the attendee sent off");
        await hostPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == attendee.Id && p.StageStatus == "OFF_STAGE" && !p.VideoEnabled && !p.AudioEnabled),
            "the host to see the attendee off the stage again");
        await Eventually.TrueAsync(() => router.ProducersOf(attendeePeer).Count == 0, "the attendee's producers to end");
        Assert.Equal(StageStatus.OffStage, attendeePeer.Stage);
    }

    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task ALivestreamViewerGoesFromTheLivestreamToTheStageOverWebRtcAndBack(string sdk)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "livestream_host", name: "Hana");
        var viewer = await api.AddParticipantAsync(meeting, "viewer", "livestream_viewer", name: "Vic");
        var hostPage = await browser.JoinAsync(host.Token, sdkVersion: sdk);
        await hostPage.EnableAudioAsync();
        await hostPage.EnableVideoAsync();
        await hostPage.StartLivestreamAsync();

        // The viewer watches the livestream: no WebRTC connection at all.
        var viewerPage = await browser.JoinAsync(viewer.Token, sdkVersion: sdk);
        var watching = await viewerPage.WaitForStateAsync(s => s.Livestream is { State: "LIVESTREAMING", PlaybackUrl: not null }, "the viewer to see the livestream live",
            TimeSpan.FromSeconds(60));
        Assert.Equal("OFF_STAGE", watching.Self.StageStatus);
        Assert.Equal(0, await viewerPage.Page.EvaluateAsync<int>("() => window.connections.length"));

        // Brought on the stage: it joins the room again (its answer says ON_STAGE), then the media room, and is seen.
        await viewerPage.RequestStageAsync();
        await hostPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == viewer.Id && p.StageStatus == "REQUESTED_TO_JOIN_STAGE"), "the host to see the request");
        await hostPage.GrantStageAsync(viewer.Id);
        await viewerPage.WaitForStateAsync(s => s.Self.StageStatus == "ACCEPTED_TO_JOIN_STAGE", "the viewer let on");
        await viewerPage.JoinStageAsync();
        await viewerPage.EnableAudioAsync();
        await viewerPage.EnableVideoAsync();
        await hostPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == viewer.Id && p.StageStatus == "ON_STAGE" && p.VideoLive && p.AudioLive && p.FramesDecoded > 10),
            "the host to see and hear the viewer on the stage");
        // (The page's element for the host was made before the viewer had media: the host's current track is read instead.)
        string hostId = (await viewerPage.StateAsync()).Participants.Single(p => p.UserId == host.Id).Id;
        await Eventually.TrueAsync(async () => (await viewerPage.CurrentVideoAsync()).Any(v => v.Id == hostId && v.Frames > 10), "the viewer to see the host over WebRTC");

        // It leaves the stage: back to the livestream's URL, its media gone.
        await viewerPage.LeaveStageAsync();
        var back = await viewerPage.WaitForStateAsync(s => s.Self.StageStatus == "OFF_STAGE", "the viewer off the stage");
        Assert.Equal(watching.Livestream!.PlaybackUrl, back.Livestream?.PlaybackUrl);
        await hostPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == viewer.Id && p.StageStatus == "OFF_STAGE" && !p.VideoEnabled), "the host to see the viewer off the stage");
        await hostPage.StopLivestreamAsync();
    }

    [Fact]
    public async Task AHostOnTheUiKitAcceptsARequestAndSeesTheAttendeeOnTheStage()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (api, browser) = (rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "webinar_host", name: "Hana");
        var attendee = await api.AddParticipantAsync(meeting, "attendee", "webinar_viewer", name: "Ada");

        // The host's app is RealtimeKit's UI kit: <rtk-meeting>, and its list of stage requests beside it.
        var hostPage = await browser.OpenAsync();
        await hostPage.InitAsync(host.Token, browser.BaseUri);
        await hostPage.OpenUiKitAsync();
        await hostPage.OpenStageQueueAsync();
        var attendeePage = await browser.JoinAsync(attendee.Token);
        await hostPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == attendee.Id), "the host to see the attendee");
        Assert.Empty(await hostPage.StageQueueAsync());

        // The attendee asks: the UI kit lists it; the host clicks accept; the attendee joins and plays in the host's grid.
        await attendeePage.RequestStageAsync();
        await Eventually.MatchAsync(hostPage.StageQueueAsync, q => q.Contains("Ada"), "the UI kit to list Ada's request");
        await hostPage.AcceptInStageQueueAsync("Ada");
        await attendeePage.WaitForStateAsync(s => s.Self.StageStatus == "ACCEPTED_TO_JOIN_STAGE", "the attendee let on");
        await attendeePage.JoinStageAsync();
        await attendeePage.EnableVideoAsync();
        var ui = await Eventually.MatchAsync(hostPage.UiKitAsync, u => u.PlayingRemoteVideos == 1, "the host's UI kit to play the attendee's video", TimeSpan.FromSeconds(60));
        Assert.Contains("Ada", ui.Names);
        Assert.Empty(await hostPage.StageQueueAsync());
    }
}
