using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.RealtimeKit;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// A preset with <c>config.media.video.simulcast</c>: RealtimeKit's unmodified SDK sends its camera in three layers
/// (f, h, q), each told apart by its RID. The first is the peer's camera stream (composited, recorded, watched over
/// WHEP), the others streams of their own; another SDK peer gets the layer its tile asks for, or the nearest that
/// flows while the sender stops that one.
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
public sealed class RealtimeKitSimulcastTests
{
    [Theory]
    [InlineData("2.0.2")]
    [InlineData("1.5.1")]
    public async Task ACameraInSimulcastReachesEachViewerInTheLayerItsTileAsksForOrTheNearestWhileThatOneStops(string sdk)
    {
        await using var rtk = await RealtimeKitServer.StartAsync();
        var (server, api, browser) = (rtk.Server, rtk.Api, rtk.Browser);
        (await api.PostAsync("/presets", JsonSerializer.Serialize(new
        {
            name = "simulcaster",
            config = new { view_type = "GROUP_CALL", media = new { video = new { quality = "hd", frame_rate = 30, simulcast = true } } },
            permissions = new { can_produce_audio = true, can_produce_video = true, can_produce_screenshare = true },
        }))).EnsureOk();
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "simulcaster", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "simulcaster", name: "Bob");
        var adaPage = await browser.JoinAsync(ada.Token, sdkVersion: sdk);
        var bobPage = await browser.JoinAsync(bob.Token, media: false, sdkVersion: sdk);
        var seen = await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.FramesDecoded > 30), "Bob decoding Ada's camera", TimeSpan.FromSeconds(60));

        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();
        var camera = transport.Sessions.OfType<SfuPublisher>().Single(p => p.Publications.Count > 0).Publications.Single();
        Assert.Equal("f", camera.Video!.Rid);
        Assert.Equal(["h", "q"], camera.Layers.Select(l => l.Video!.Rid));
        Assert.Equal([$"{camera.StreamId}/h", $"{camera.StreamId}/q"], camera.Layers.Select(l => l.StreamId));
        await Eventually.TrueAsync(() => camera.Layers.All(l => l.Video!.Packets > 10) && camera.Video.Packets > 10, "packets on every layer", TimeSpan.FromSeconds(30));
        Assert.Equal(3, new[] { camera.Video.Ssrc }.Concat(camera.Layers.Select(l => l.Video!.Ssrc)).Distinct().Count());
        var hub = server.App.Services.GetRequiredService<MeetingMediaHub>().Hub;
        Assert.All(camera.Layers, l => Assert.NotNull(hub.Find(l.StreamId)?.RtpVideo));

        // A consumer starts on the full layer; the SDK may already have asked for another by now (1.5.1 asks as soon as
        // the tile is laid out). Shown in a small tile, Ada's video comes in the lowest layer; in a large one, in the
        // middle layer (the SDK's choice is between those two).
        var consumer = transport.Sessions.OfType<SfuReceiveSession>().SelectMany(r => r.Consumers).Single(c => c.Video && c.Stream.Id == camera.StreamId);
        Assert.Contains(consumer.Reading.Id, new[] { camera.StreamId }.Concat(camera.Layers.Select(l => l.StreamId)));
        var full = await bobPage.WaitForStateAsync(s => s.Participants.Single().FrameWidth > 0, "Bob's video of Ada with a size");
        string adaPeer = seen.Participants.Single().Id;
        await bobPage.ShowVideoAsync(adaPeer, 160, 90);
        await Eventually.TrueAsync(() => consumer.Reading.Id == $"{camera.StreamId}/q", "Bob's consumer reading the q layer");
        var small = await bobPage.WaitForStateAsync(s => s.Participants.Single().FrameWidth < full.Participants.Single().FrameWidth, "Bob's video of Ada in a small layer", TimeSpan.FromSeconds(30));
        await bobPage.ShowVideoAsync(adaPeer, 1280, 720);
        await Eventually.TrueAsync(() => consumer.Reading.Id == $"{camera.StreamId}/h", "Bob's consumer reading the h layer");
        var large = await bobPage.WaitForStateAsync(s => s.Participants.Single().FrameWidth > small.Participants.Single().FrameWidth, "Bob's video of Ada in a larger layer",
            TimeSpan.FromSeconds(30));

        // Ada's browser stops sending the h layer, as one short of bandwidth or CPU does: Bob's video comes in the next
        // smaller layer until h is back.
        await adaPage.SendLayerAsync("h", active: false);
        await Eventually.TrueAsync(() => consumer.Reading.Id == $"{camera.StreamId}/q", "Bob's consumer reading the q layer while h is off", TimeSpan.FromSeconds(10));
        var fallback = await bobPage.WaitForStateAsync(s => s.Participants.Single().FrameWidth < large.Participants.Single().FrameWidth, "Bob's video of Ada in the q layer",
            TimeSpan.FromSeconds(30));
        await adaPage.SendLayerAsync("h", active: true);
        // (Chrome sends a layer it turned back on once its own estimate allows it again: more than 10 s on a busy machine.)
        await Eventually.TrueAsync(() => consumer.Reading.Id == $"{camera.StreamId}/h", "Bob's consumer reading the h layer again", TimeSpan.FromSeconds(30));
        await bobPage.WaitForStateAsync(s => s.Participants.Single().FrameWidth > fallback.Participants.Single().FrameWidth, "Bob's video of Ada in the h layer again",
            TimeSpan.FromSeconds(30));

        // Each layer request was answered (the SDK awaits an answer, and logs a timeout and an uncaught rejection without one).
        var frames = bobPage.Frames.Where(f => f.Binary is not null).Select(f => (f.Sent, Message: SocketFrameReader.Read(f.Binary))).ToList();
        var asked = frames.Where(f => f.Sent && f.Message.Event == RealtimeKitEvents.Media.UpdateConsumersSimulcastConfig).Select(f => f.Message.Id).ToList();
        Assert.NotEmpty(asked);
        Assert.All(asked, id => Assert.Contains(frames, f => !f.Sent && f.Message.Id == id && f.Message.Event == RealtimeKitEvents.Media.UpdateConsumersSimulcastConfig));
    }
}
