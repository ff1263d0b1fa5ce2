using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// A peer on RealtimeKit's unmodified web SDK shares its screen (Chromium's fake capture) beside its camera: both go
/// on its one send transport, in the same VP8 payload type, and reach the peer's two meeting streams, told apart by the
/// SSRCs the client's offer announced for their m-lines. Another SDK peer decodes both, and sees the share end.
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class RealtimeKitScreenShareTests
{
    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task ASharedScreenIsSeenBesideTheCameraAndEndsWhenStopped(string sdk)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");
        var adaPage = await browser.JoinAsync(ada.Token, sdkVersion: sdk);
        var bobPage = await browser.JoinAsync(bob.Token, media: false, sdkVersion: sdk);
        await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.FramesDecoded > 30), "Bob decoding Ada's camera", TimeSpan.FromSeconds(60));

        await adaPage.EnableScreenShareAsync();
        Assert.True((await adaPage.StateAsync()).Self.ScreenShareEnabled);
        var seen = await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.ScreenShareEnabled && p.ScreenFramesDecoded > 10),
            "Bob decoding Ada's screen", TimeSpan.FromSeconds(60));
        long cameraFrames = seen.Participants.Single().FramesDecoded;
        await bobPage.WaitForStateAsync(s => s.Participants.Single().FramesDecoded > cameraFrames + 30, "Bob still decoding Ada's camera", TimeSpan.FromSeconds(30));

        // Bob's SDK broadcast on its own that it consumes the share (an app message): Ada hears it, nobody's page sees an error.
        await adaPage.WaitForStateAsync(s => s.Broadcasts.Any(b => b.Type == "screenshareConsumerCreated"), "Bob's SDK's broadcast at Ada");
        Assert.Empty((await bobPage.StateAsync()).Uncaught);

        // One connection, two publications: each video track has the packets of its own SSRC.
        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();
        var send = transport.Sessions.OfType<SfuPublisher>().Single(p => p.Publications.Count > 0); // Ada's: Bob publishes nothing
        var publications = send.Publications;
        Assert.Equal(["camera", "screenshare"], publications.Select(p => p.StreamId.Split('/')[^1]));
        var (camera, screen) = (publications[0].Video!, publications[1].Video!);
        Assert.Equal(camera.Codec.PayloadType, screen.Codec.PayloadType);
        Assert.NotEqual(camera.Ssrc, screen.Ssrc);
        Assert.True(camera.Packets > 0 && screen.Packets > 0, $"camera {camera.Packets} packets, screen {screen.Packets}");
        var hub = server.App.Services.GetRequiredService<MeetingMediaHub>().Hub;
        string screenStream = publications[1].StreamId;
        Assert.NotNull(hub.Find(screenStream)?.RtpVideo);

        // Ada stops sharing: Bob sees it end, the screen's stream ends, her camera goes on.
        await adaPage.DisableScreenShareAsync();
        await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && !p.ScreenShareEnabled), "Bob seeing Ada's share end");
        await Eventually.TrueAsync(() => hub.Find(screenStream) is null, "the screen's stream to end");
        Assert.Equal([publications[0]], send.Publications);
        cameraFrames = (await bobPage.StateAsync()).Participants.Single().FramesDecoded;
        try
        {
            await bobPage.WaitForStateAsync(s => s.Participants.Single().FramesDecoded > cameraFrames + 30, "Bob decoding Ada's camera after the share", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nBob's connections' statistics: {await bobPage.MediaStatsAsync()}\nAda's camera's packets in: {camera.Packets}\nthe server's consumers: {Consumers(transport)}", ex);
        }
    }

    /// <summary>What each receive transport sent (each consumer's packets, the layer a video consumer reads, or that it is paused) and its estimate.</summary>
    private static string Consumers(WebRtcTransport transport) => string.Join("; ", transport.Sessions.OfType<SfuReceiveSession>().Select(session =>
        $"{session.Estimate}: " + string.Join(", ", session.Consumers.Select(c => $"{c.Mid} {(c.Video ? "video" : "audio")} {c.Reading.Id} {(c.Paused ? "paused" : "sending")}, {c.Sent.Packets} packets"))));

    [Fact]
    public async Task AnSdkPeerSeesTheScreenShareOfAPeerPublishingOverMeetingWhip()
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var carl = await api.AddParticipantAsync(meeting, "carl", "group_call_host", name: "Carl");
        var adaPage = await browser.JoinAsync(ada.Token, media: false);
        var carlPage = await MeetingPage.JoinAsync(browser.Browser, server.HttpBase, carl);

        // Carl's meeting page shares a screen (a second WHIP publish, source=screenshare): Ada's SDK consumes it as a
        // screen share producer, beside his camera.
        await carlPage.PublishAsync();
        await carlPage.PublishAsync(source: "screenshare");
        var seen = await adaPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == carl.Id && p.ScreenShareEnabled && p.ScreenFramesDecoded > 10 && p.FramesDecoded > 10),
            "Ada decoding Carl's screen and camera", TimeSpan.FromSeconds(60));
        Assert.Single(seen.Participants);
    }
}
