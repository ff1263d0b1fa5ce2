using System.Collections.Concurrent;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Client;

/// <summary>
/// The stage through the client module (/sdk/stagecast.js) in Chromium: a webinar's attendee watches over WebRTC, is let
/// on and seen and heard, and sent off; a livestream meeting's audience watches over HLS and moves on stage and back.
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class ClientModuleStageTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AWebinarAttendeeWatchesAsksIsLetOnIsSeenAndHeardAndIsSentOff()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Webinar"}""");
        var host = await api.AddParticipantAsync(meeting, "host", "webinar_host", name: "Hana");
        var attendee = await api.AddParticipantAsync(meeting, "attendee", "webinar_viewer", name: "Ade");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var h = await ModulePage.StartAsync(browser, server.HttpBase, host.Token, "Hana");
        await h.CallAsync("meeting.self.enableAudio()");
        await h.CallAsync("meeting.self.enableVideo()");
        var publishes = new ConcurrentQueue<string>();
        var a = await ModulePage.StartAsync(browser, server.HttpBase, attendee.Token, "Ade", page => page.Request += (_, request) =>
        {
            if (request.Method == "POST" && request.Url.Contains("/whip"))
            {
                publishes.Enqueue(request.Url);
            }
        });
        string hostId = await h.SelfIdAsync();
        string attendeeId = await a.SelfIdAsync();

        // The attendee enters off the stage and watches the host over WebRTC; the host sees it in the audience.
        Assert.Equal("OFF_STAGE", (await a.CallAsync("meeting.stage.status")).GetString());
        await Eventually.MatchAsync(() => a.Page.EvaluateAsync<int>("id => framesFrom(id)", hostId), f => f > 10, "the attendee to decode the host's camera");
        await h.WaitForLogAsync("participantJoined", e => e.GetString() == attendeeId);
        Assert.Equal("OFF_STAGE", (await h.CallAsync($"meeting.participants.joined.get('{attendeeId}').stageStatus")).GetString());

        // Off the stage its camera and microphone turn on in the browser only: nothing is published.
        await a.CallAsync("meeting.self.enableAudio()");
        await a.CallAsync("meeting.self.enableVideo()");
        Assert.True((await a.CallAsync("meeting.self.videoEnabled")).GetBoolean());
        Assert.Empty(publishes);

        // It asks; the host sees the request and grants it; the attendee is approved and joins the stage.
        await a.CallAsync("meeting.stage.requestAccess()");
        await h.WaitForLogAsync("stageAccessRequestUpdate", e => e.EnumerateArray().Any(id => id.GetString() == attendee.Id));
        Assert.Equal(attendee.Id, (await h.CallAsync("meeting.stage.getAccessRequests().stageRequests[0].userId")).GetString());
        await h.CallAsync($"meeting.stage.grantAccess(['{attendee.Id}'])");
        await a.WaitForLogAsync("stageRequestApproved", _ => true);
        Assert.Equal("ACCEPTED_TO_JOIN_STAGE", (await a.CallAsync("meeting.stage.status")).GetString());
        await a.CallAsync("meeting.stage.join()");
        await a.WaitForLogAsync("stageStatusUpdate", e => e.GetString() == "ON_STAGE");

        // On the stage it publishes what it turned on: the host sees and hears it.
        await Eventually.TrueAsync(() => !publishes.IsEmpty, "the attendee to publish its camera");
        await h.WaitForLogAsync("participantStage", e => e.GetProperty("id").GetString() == attendeeId && e.GetProperty("status").GetString() == "ON_STAGE");
        await Eventually.MatchAsync(() => h.Page.EvaluateAsync<int>("id => framesFrom(id)", attendeeId), f => f > 10, "the host to decode the attendee's camera");
        await Eventually.MatchAsync(() => h.Page.EvaluateAsync<int>("id => audioPacketsFrom(id)", attendeeId), p => p > 20, "the host to hear the attendee");

        // The host sends it off the stage: its media ends, at the host and in its own browser.
        await h.CallAsync($"meeting.stage.kick(['{attendeeId}'])");
        await a.WaitForLogAsync("stageStatusUpdate", e => e.GetString() == "OFF_STAGE");
        Assert.False((await a.CallAsync("meeting.self.videoEnabled")).GetBoolean());
        Assert.True(await a.Page.EvaluateAsync<bool>("() => meeting.self._camera === null"));
        await h.WaitForLogAsync("videoUpdate", e => e.GetProperty("id").GetString() == attendeeId && !e.GetProperty("enabled").GetBoolean());
        await Eventually.TrueAsync(() => h.Page.EvaluateAsync<bool>("id => !meeting.participants.joined.get(id)._subscriptions.camera", attendeeId),
            "the host's subscription to the attendee to end");
        await Browser.ScreenshotAsync(h.Page, "client-module-webinar");
    }

    [Fact]
    public async Task ALivestreamViewerWatchesOverHlsGoesOnStageOverWebRtcAndBackWithoutAReload()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Live show"}""");
        var host = await api.AddParticipantAsync(meeting, "host", "livestream_host", name: "Hana");
        var viewer = await api.AddParticipantAsync(meeting, "viewer", "livestream_viewer", name: "Vic");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var h = await ModulePage.StartAsync(browser, server.HttpBase, host.Token, "Hana");
        await h.CallAsync("meeting.self.enableVideo()");
        var v = await ModulePage.StartAsync(browser, server.HttpBase, viewer.Token, "Vic");
        string loaded = await v.Page.EvaluateAsync<string>("() => window.loaded");
        string hostId = await h.SelfIdAsync();
        string viewerId = await v.SelfIdAsync();
        await v.Page.EvaluateAsync("() => watch()");

        // The host goes live (an RTMP push, light on the machine); the viewer in the audience plays it over HLS and has
        // no WebRTC subscription although the host publishes its camera.
        var credentials = (await h.CallAsync("meeting.livestream.start({ manualIngestion: true }).then(() => meeting.livestream.ingestionCredentials)"));
        await using var publisher = Ffmpeg.Publish($"{credentials.GetProperty("ingestionServer").GetString()}/{credentials.GetProperty("streamKey").GetString()}",
            Ffmpeg.AudioVideo(60, "320x180"));
        await v.WaitForLogAsync("watchingUpdate", e => e.GetBoolean(), TimeSpan.FromSeconds(30));
        await ModulePage.GrowsAsync(() => v.Page.EvaluateAsync<int>("() => livestreamFrames()"), 20, "the viewer to play the livestream");
        Assert.True(await v.Page.EvaluateAsync<bool>("id => !meeting.participants.joined.get(id)._subscriptions.camera", hostId));

        // The host invites it on the stage; it joins: the player stops, the host is watched over WebRTC, and its camera is seen.
        await v.CallAsync("meeting.self.enableVideo()");
        await h.CallAsync($"meeting.stage.grantAccess(['{viewer.Id}'])");
        await v.WaitForLogAsync("stageRequestApproved", _ => true);
        await v.CallAsync("meeting.stage.join()");
        await v.WaitForLogAsync("watchingUpdate", e => !e.GetBoolean());
        await Eventually.MatchAsync(() => v.Page.EvaluateAsync<int>("id => framesFrom(id)", hostId), f => f > 10, "the viewer on stage to decode the host over WebRTC");
        await Eventually.MatchAsync(() => h.Page.EvaluateAsync<int>("id => framesFrom(id)", viewerId), f => f > 10, "the host to decode the viewer's camera");

        // It leaves the stage: its WebRTC ends and the livestream plays again, on the same page.
        await v.CallAsync("meeting.stage.leave()");
        await Eventually.MatchAsync(() => v.Page.EvaluateAsync<int>("() => eventsOf('watchingUpdate').filter(w => w).length"), n => n >= 2, "the player to start again");
        await ModulePage.GrowsAsync(() => v.Page.EvaluateAsync<int>("() => livestreamFrames()"), 20, "the viewer back in the audience to play the livestream again");
        Assert.True(await v.Page.EvaluateAsync<bool>("id => !meeting.participants.joined.get(id)._subscriptions.camera", hostId));
        Assert.False((await v.CallAsync("meeting.self.videoEnabled")).GetBoolean());
        Assert.Equal(loaded, await v.Page.EvaluateAsync<string>("() => window.loaded"));
        await Browser.ScreenshotAsync(v.Page, "client-module-livestream-audience");
    }
}
