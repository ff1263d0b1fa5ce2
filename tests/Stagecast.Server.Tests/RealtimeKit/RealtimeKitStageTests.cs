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
/// it; the attendee joins the stage, and the host sees and hears it; the host sends it off again, and its media ends.
/// </summary>
public sealed class RealtimeKitStageTests
{
    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task AWebinarAttendeeAsksIsLetOnIsSeenAndHeardAndIsSentOffAgain(string sdk)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var host = await api.AddParticipantAsync(meeting, "host", "webinar_host", name: "Hana");
        var attendee = await api.AddParticipantAsync(meeting, "attendee", "webinar_viewer", name: "Ada");
        var hostPage = await browser.JoinAsync(host.Token, sdkVersion: sdk);
        await hostPage.EnableAudioAsync();
        await hostPage.EnableVideoAsync();
        var attendeePage = await browser.JoinAsync(attendee.Token, sdkVersion: sdk);

        // Off the stage, the attendee watches and hears the host; the host sees it in the audience, producing nothing.
        var watching = await attendeePage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == host.Id && p.VideoLive && p.AudioLive && p.FramesDecoded > 10),
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
        await attendeePage.EnableVideoAsync();
        Assert.Equal("ON_STAGE", (await attendeePage.StateAsync()).Self.StageStatus);
        await hostPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == attendee.Id && p.StageStatus == "ON_STAGE" && p.VideoLive && p.AudioLive && p.FramesDecoded > 10),
            "the host to see and hear the attendee on the stage");
        Assert.Empty(await hostPage.StageRequestsAsync());

        // The host sends it off: its SDK leaves the stage, its producers end, the host no longer receives it.
        await hostPage.KickFromStageAsync(attendee.Id);
        await attendeePage.WaitForStateAsync(s => s.Self.StageStatus == "OFF_STAGE", "the attendee sent off");
        await hostPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == attendee.Id && p.StageStatus == "OFF_STAGE" && !p.VideoEnabled),
            "the host to see the attendee off the stage again");
        await Eventually.TrueAsync(() => router.ProducersOf(attendeePeer).Count == 0, "the attendee's producers to end");
        Assert.Equal(StageStatus.OffStage, attendeePeer.Stage);
    }
}
