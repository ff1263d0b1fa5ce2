using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whep;
using Xunit.Abstractions;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// Meetings on real networks (issue 63): RealtimeKit's unmodified SDK in Chromium, a subscriber's (or a publisher's)
/// browser in a network namespace whose link is shaped with tc (<see cref="ShapedLink"/>), the server's congestion control
/// on (<c>--webrtc-congestion-control</c>). The publisher sends its camera in three simulcast layers. Alone: under CPU load
/// the server's estimate falls and pauses the video (9.8 fps beside the suite's other browsers and two busy loops, 1.5
/// fps in one run alone beside two busy loops; it passed in others and on a quiet machine): docs/decisions.md says why.
/// Of two subscribers, the one behind a narrow link gets a lower layer than the one on a wide one, and the top layer again
/// once the limit lifts. What the narrowing loses is repaired on the retransmission stream (RTX), and so is a downlink's
/// random loss with delay (<see cref="PacketImpairment"/>: this kernel has no netem). Stagecast's own meeting page behind
/// such a link says when its connection is weak, and its WHEP subscriptions are sent the layer their downlink carries.
/// </summary>
[Trait(LongLane.Trait, LongLane.Name)]
[Collection(AloneCollection.Name)]
public sealed class ShapedLinkTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ASubscriberOnA350KbitDownlinkKeepsMovingVideoAndWholeAudio()
    {
        await using var link = await ShapedLink.CreateAsync();
        await using var rtk = await RealtimeKitServer.StartOnLinkAsync(link, "--webrtc-congestion-control");
        var (server, api) = (rtk.Server, rtk.Api);
        await CreateSimulcastPresetAsync(api);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "simulcaster", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "simulcaster", name: "Bob");
        var carl = await api.AddParticipantAsync(meeting, "carl", "simulcaster", name: "Carl");
        await rtk.Browser.JoinAsync(ada.Token, tone: true);

        // Bob joins from behind the link (unshaped while his page loads), Carl from the host, both showing Ada large: their
        // consumers of her camera start on the full layer, and their SDKs ask for no other.
        await using var behind = await rtk.LaunchBehindAsync(link);
        var bobPage = await JoinShowingLargeAsync(behind, bob);
        var carlPage = await JoinShowingLargeAsync(rtk.Browser, carl);
        foreach (var page in new[] { bobPage, carlPage })
        {
            await page.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.FramesDecoded > 30), "decoding Ada's camera", TimeSpan.FromSeconds(60));
        }

        var transport = server.App.Services.GetRequiredService<WebRtcTransport>();
        var camera = CameraOf(transport);
        SfuConsumer ConsumerOf(bool behindLink) => transport.Sessions.OfType<SfuReceiveSession>().Where(r => r.ClientAddress.EndsWith(link.Address.ToString(), StringComparison.Ordinal) == behindLink)
            .SelectMany(r => r.Consumers).Single(c => c.Video && c.Stream.Id == camera.StreamId);
        var (consumer, carlsConsumer) = (ConsumerOf(behindLink: true), ConsumerOf(behindLink: false));
        bool OnFull(SfuConsumer c) => LayerOf(c, camera) == "f";
        string Layer(SfuConsumer c) => $"{LayerOf(c, camera)} ({(c.Paused ? "paused" : "sending")})";
        string Layers() => $"Bob reads {Layer(consumer)}, Carl {Layer(carlsConsumer)}; Ada's packets: " +
            $"f {camera.Video!.Packets}, " + string.Join(", ", camera.Layers.Select(l => $"{l.Video!.Rid} {l.Video.Packets}"));
        output.WriteLine($"unshaped: {await MeasureAsync(bobPage, TimeSpan.FromSeconds(10))}; {Layers()}");

        // His downlink narrows to 350 kbit/s: after 10 s to settle, 30 s measured. His video keeps moving and his audio
        // comes whole (without congestion control he got 0 fps and 15-17 % of his audio was concealed; with it but
        // Chrome's padding forwarded, the lowest layer took 300 kbit/s and was paused).
        await link.DownAsync(350);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var narrow = await MeasureAsync(bobPage, Window);
        output.WriteLine($"350 kbit/s: {narrow}; {Layers()}; {await link.QueueAsync()}");
        Assert.True(narrow.FramesPerSecond >= 10, $"Bob's video moves at 10 fps or more: {narrow}; {Layers()}");
        Assert.True(narrow.FreezesSeconds <= 2, $"Bob's video freezes 2 s or less in 30: {narrow}");
        Assert.True(narrow.AudioPacketsPerSecond >= 45 && narrow.AudioLoss <= 0.02, $"Bob's audio comes whole: {narrow}");
        Assert.True(!OnFull(consumer) && OnFull(carlsConsumer), $"one publisher, two links, two layers: {Layers()}");

        // His call stats say so: the consumer of Ada's camera was sent a lower layer, and what his downlink was estimated
        // at (793 kbit/s in one run: sending only q, about 190 kbit/s, the estimate is not held to the link's 350).
        string session = server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!.SessionId!;
        var watched = (await api.GetAsync($"/sessions/{session}/participants/{bob.Id}")).EnsureOk().Data.GetProperty("peer_report").GetProperty("quality")
            .GetProperty("video_consumer").EnumerateArray().Single();
        output.WriteLine($"Bob's call stats of Ada's camera: {watched}");
        Assert.Contains(watched.GetProperty("layer").GetString(), new[] { "h", "q" });
        Assert.True(watched.GetProperty("estimate").GetDouble() > 0, $"Bob's estimate: {watched}");

        // The limit lifts: within 20 s he is sent the full layer again (probes find the room), and his video goes on.
        await link.DownAsync(null);
        var lifted = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.MatchAsync(() => OnFull(consumer) && !consumer.Paused, ok => ok, "Bob's consumer back on the full layer", TimeSpan.FromSeconds(20), _ => Layers());
        output.WriteLine($"back on f {lifted.Elapsed.TotalSeconds:F1} s after the limit lifted");
        var wide = await Eventually.MatchAsync(() => MeasureAsync(bobPage, TimeSpan.FromSeconds(5)), r => r.FramesPerSecond >= 10, "Bob's video moving once the limit lifted",
            TimeSpan.FromSeconds(30), r => $"{r}; {Layers()}");
        output.WriteLine($"unshaped again: {wide}; {Layers()}");
    }

    [Fact]
    public async Task APublisherOnA500KbitUplinkLimitsItselfByBandwidthAndItsViewerKeepsMovingVideo()
    {
        await using var link = await ShapedLink.CreateAsync();
        await using var rtk = await RealtimeKitServer.StartOnLinkAsync(link, "--webrtc-congestion-control");
        var api = rtk.Api;
        await CreateSimulcastPresetAsync(api);
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "simulcaster", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "simulcaster", name: "Bob");

        // Ada publishes her camera in three layers from behind the link; Bob watches from the host.
        await using var behind = await rtk.LaunchBehindAsync(link);
        var adaPage = await behind.JoinAsync(ada.Token, tone: true);
        var bobPage = await rtk.Browser.JoinAsync(bob.Token, media: false);
        await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.FramesDecoded > 30), "Bob decoding Ada's camera", TimeSpan.FromSeconds(60));
        var unshaped = await SentAsync(adaPage);
        output.WriteLine($"unshaped, Ada sends: {string.Join("; ", unshaped)}");

        // Her uplink narrows to 500 kbit/s. The server's transport-wide feedback tells her Chrome what arrives when: its
        // estimate falls below the link's rate and it says the bandwidth limits its video; it keeps within the link, and
        // Bob's video of her keeps moving (one run, quiet: 282 kbit/s sent, Bob 20 fps, none frozen; without congestion
        // control Chrome filled the link, 501 kbit/s, and Bob got 5.9 fps, 22 s of 30 frozen).
        await link.UpAsync(500);
        await Eventually.MatchAsync(adaPage.VideoSentAsync, layers => layers.Any(l => l.QualityLimitationReason == "bandwidth"),
            "Ada's Chrome limited by bandwidth", TimeSpan.FromSeconds(30), layers => string.Join("; ", layers.Where(l => l.FramesEncoded > 0)));
        // Her Chrome stops and drops its top layer as its estimate falls (Bob's video froze 2-3 s of the first seconds in
        // runs here, no layer arriving for a second): once his video moves again, 30 s are measured.
        var adapting = System.Diagnostics.Stopwatch.StartNew();
        await Eventually.MatchAsync(() => MeasureAsync(bobPage, TimeSpan.FromSeconds(2)), r => r.FramesPerSecond >= 10 && r.FreezesSeconds == 0,
            "Bob's video of Ada moving again as her Chrome adapted", TimeSpan.FromSeconds(30), r => r.ToString());
        output.WriteLine($"Bob's video moving again {adapting.Elapsed.TotalSeconds:F1} s after her Chrome said bandwidth");
        var before = await adaPage.VideoSentAsync();
        var timeline = Timeline(rtk.Server.App.Services.GetRequiredService<WebRtcTransport>(), Window);
        var watched = await MeasureAsync(bobPage, Window);
        var after = await adaPage.VideoSentAsync();
        output.WriteLine($"each second, Bob's consumer of Ada's camera and what her layers sent: {await timeline}");
        double sentKbps = (after.Sum(l => l.BytesSent) - before.Sum(l => l.BytesSent)) * 8 / Window.TotalSeconds / 1000;
        output.WriteLine($"500 kbit/s up: Ada sends {sentKbps:F0} kbit/s of video: {string.Join("; ", after.Where(l => l.FramesEncoded > 0))}; Bob: {watched}");
        Assert.Contains(after, l => l.QualityLimitationReason == "bandwidth");
        Assert.True(sentKbps <= 450, $"Ada's video within her uplink, room left for her audio: {sentKbps:F0} kbit/s; Bob: {watched}");
        Assert.True(watched.FramesPerSecond >= 10 && watched.FreezesSeconds <= 2, $"Bob's video of Ada moves at 10 fps or more, frozen 2 s or less in 30: {watched}");
    }

    [Fact]
    public async Task WhatASqueezedDownlinkLosesIsRepairedOnTheRetransmissionStream()
    {
        // Congestion control off: it exists to avoid the very loss this test needs. With it on, beside two busy loops,
        // the estimate fell at once and paused Bob's video after the queue had dropped 2 packets (2026-11-30).
        await using var link = await ShapedLink.CreateAsync();
        await using var rtk = await RealtimeKitServer.StartOnLinkAsync(link, "--webrtc-congestion-control", "false");
        var api = rtk.Api;
        string meeting = await api.CreateMeetingAsync();
        var ada = await api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");
        await rtk.Browser.JoinAsync(ada.Token);
        await using var behind = await rtk.LaunchBehindAsync(link);
        var bobPage = await behind.JoinAsync(bob.Token, media: false);
        await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.FramesDecoded > 30), "Bob decoding Ada's camera", TimeSpan.FromSeconds(60));
        var consumer = rtk.Server.App.Services.GetRequiredService<WebRtcTransport>().Sessions.OfType<SfuReceiveSession>().SelectMany(r => r.Consumers).Single(c => c.Video);
        Assert.True(consumer.Rtx?.Enabled, "Bob's SDK took the retransmission stream the server offered with Ada's camera");

        // His downlink behind a shallow 150 kbit/s queue (5 ms, 3 KB bursts) drops what does not fit (this kernel has no
        // netem for random loss), held until it dropped 20 packets: he NACKs them and they come again on the RTX stream,
        // which Chrome alone counts as retransmitted.
        long before = (await bobPage.MediaStatsAsync()).VideoRetransmissions;
        await link.DownAsync(150, queueMs: 5, burstKb: 3);
        // Not there in 30 s once in a full run (passed alone after): a failure says what Bob's consumer was sent then.
        string queue = await Eventually.MatchAsync(link.QueueAsync, q => ShapedLink.Dropped(q) >= 20, "the shallow queue dropping Bob's packets",
            TimeSpan.FromSeconds(30), q => $"{q}; Bob's camera consumer {(consumer.Paused ? "paused" : "sending")} ({consumer.Pauses} pauses), " +
                $"{consumer.Sent.Packets} packets, {consumer.LayerSwitches} layer switches");
        await link.DownAsync(null);
        long repaired = (await Eventually.MatchAsync(bobPage.MediaStatsAsync, s => s.VideoRetransmissions > before, "Bob's video repaired on the RTX stream",
            TimeSpan.FromSeconds(15), s => $"{s}; {queue}")).VideoRetransmissions - before;
        output.WriteLine($"{repaired} video packets repaired on RTX; {queue}");
        await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.VideoLive), "Bob's video of Ada live again");
    }

    [Fact]
    public async Task ASubscriberWhoseDownlinkLosesFivePercentWith40MsOfDelayKeepsItsVideoMovingOnRepairs()
    {
        // Congestion control on, as a server runs: random loss of 5 % is under what its loss bound cuts for (10 %).
        await using var link = await ShapedLink.CreateAsync();
        await using var rtk = await RealtimeKitServer.StartOnLinkAsync(link, cameraFps: 30);
        string meeting = await rtk.Api.CreateMeetingAsync();
        var ada = await rtk.Api.AddParticipantAsync(meeting, "ada", "group_call_host", name: "Ada");
        var bob = await rtk.Api.AddParticipantAsync(meeting, "bob", "group_call_host", name: "Bob");
        var adaPage = await rtk.Browser.JoinAsync(ada.Token, tone: true);

        // Bob's downlink loses 5 % of its media at random and delays the rest by 40 ms (netem's "delay 40ms loss 5%")
        // from before he joins, as a real link would. Switched on under a flowing video, the delay's step looked like a
        // queue to the estimator, which fell to about 220 kbit/s and kept his video paused for 16 s (one run of four).
        var impairment = await link.ImpairDownAsync(0.05, TimeSpan.FromMilliseconds(40));
        await using var behind = await rtk.LaunchBehindAsync(link);
        var bobPage = await JoinShowingLargeAsync(behind, bob);
        await bobPage.WaitForStateAsync(s => s.Participants.Any(p => p.UserId == ada.Id && p.FramesDecoded > 30), "Bob decoding Ada's camera", TimeSpan.FromSeconds(60));

        // Once his video moves (2 s at 20 fps or more), 30 s measured: it keeps moving, what was lost coming again on RTX.
        await Eventually.MatchAsync(() => MeasureAsync(bobPage, TimeSpan.FromSeconds(2)), r => r.FramesPerSecond >= 20, "Bob's video moving on the lossy link",
            TimeSpan.FromSeconds(30), r => r.ToString());
        long before = (await bobPage.MediaStatsAsync()).VideoRetransmissions;
        long encoded = (await adaPage.VideoSentAsync()).Sum(l => l.FramesEncoded);
        var timeline = Timeline(rtk.Server.App.Services.GetRequiredService<WebRtcTransport>(), Window);
        var lossy = await MeasureAsync(bobPage, Window);
        long repaired = (await bobPage.MediaStatsAsync()).VideoRetransmissions - before;
        var sent = await adaPage.VideoSentAsync();
        output.WriteLine($"5 % loss, 40 ms: {lossy}; {repaired} video packets repaired on RTX; {impairment}; Ada encoded " +
            string.Join(", ", sent.Where(l => l.FramesEncoded > 0).Select(l => $"{l.FrameWidth} px ({l.QualityLimitationReason})")) +
            $", {(sent.Sum(l => l.FramesEncoded) - encoded) / Window.TotalSeconds:F1} fps; Bob's consumer each second: {await timeline}");
        Assert.True(impairment.Dropped > 0 && impairment.Passed > 0, $"the link lost and delayed Bob's media: {impairment}");
        Assert.True(lossy.FramesPerSecond >= 20, $"Bob's video moves at 20 fps or more: {lossy}");
        Assert.True(lossy.FreezesSeconds <= 2, $"Bob's video freezes 2 s or less in 30: {lossy}");
        Assert.True(repaired > 0, $"Bob's lost video came again on the RTX stream: {repaired} packets");
        Assert.True(lossy.AudioPacketsPerSecond >= 40, $"Bob's audio keeps coming (its losses are not repaired: Opus conceals them): {lossy}");
    }

    [Fact]
    public async Task TheMeetingPageOnANarrowDownlinkSaysTheConnectionIsWeakUntilItWidens()
    {
        await using var link = await ShapedLink.CreateAsync();
        await using var rtk = await RealtimeKitServer.StartOnLinkAsync(link);
        string meeting = await rtk.Api.CreateMeetingAsync();
        var ada = await rtk.Api.AddParticipantAsync(meeting, "ada", "group_call_host");
        var bob = await rtk.Api.AddParticipantAsync(meeting, "bob", "group_call_participant");
        var adaPage = await JoinMeetingPageAsync(rtk.Browser, meeting, ada, "Ada");
        await using var behind = await rtk.LaunchBehindAsync(link);
        var bobPage = await JoinMeetingPageAsync(behind, meeting, bob, "Bob");
        await bobPage.WaitForFunctionAsync("() => [...document.querySelectorAll('.tile')].some(t => t.querySelector('.name').textContent === 'Ada' && t.querySelector('video').videoWidth > 0)",
            null, new PageWaitForFunctionOptions { Timeout = 60_000 });

        // Bob's downlink narrows to 150 kbit/s, far below Ada's camera: the server pauses her video for him and says so
        // (a picture stopped cleanly shows the browser no loss and no freeze), and his page says his connection is weak,
        // and why.
        await link.DownAsync(150);
        var hint = await bobPage.WaitForSelectorAsync("#weak-connection:not([hidden])[title*='downlink']", new PageWaitForSelectorOptions { Timeout = 30_000 });
        output.WriteLine($"150 kbit/s: \"{await hint!.InnerTextAsync()}\" ({await hint.GetAttributeAsync("title")})");
        Assert.Contains("your downlink cannot carry all the video you watch", await hint.GetAttributeAsync("title"));
        Assert.True(await adaPage.IsHiddenAsync("#weak-connection"), "Ada, on the host, has no weak connection");

        // The limit lifts: the hint goes.
        await link.DownAsync(null);
        await bobPage.WaitForSelectorAsync("#weak-connection", new PageWaitForSelectorOptions { State = WaitForSelectorState.Hidden, Timeout = 30_000 });
    }

    /// <summary>
    /// Stagecast's meeting page watches over meeting WHEP, one subscription per peer's source: behind a 350 kbit/s link it
    /// is sent a lower simulcast layer of a RealtimeKit publisher's camera, chosen by its own downlink's estimate (its
    /// transport-wide feedback), and its video keeps moving; once the limit lifts it is back on the full layer.
    /// </summary>
    [Fact]
    public async Task TheMeetingPageOnA350KbitDownlinkIsSentALowerLayerAndKeepsItsVideoMoving()
    {
        await using var link = await ShapedLink.CreateAsync();
        await using var rtk = await RealtimeKitServer.StartOnLinkAsync(link);
        await CreateSimulcastPresetAsync(rtk.Api);
        string meeting = await rtk.Api.CreateMeetingAsync();
        var ada = await rtk.Api.AddParticipantAsync(meeting, "ada", "simulcaster", name: "Ada");
        (await rtk.Api.PostAsync("/presets", JsonSerializer.Serialize(new
        {
            name = "watcher",
            config = new { view_type = "GROUP_CALL" },
            permissions = new { can_produce_audio = false, can_produce_video = false },
        }))).EnsureOk();
        var bob = await rtk.Api.AddParticipantAsync(meeting, "bob", "watcher"); // (his own camera's encoder would only add load)
        var adaPage = await rtk.Browser.JoinAsync(ada.Token, tone: true);
        await using var behind = await rtk.LaunchBehindAsync(link);
        var bobPage = await JoinMeetingPageAsync(behind, meeting, bob, "Bob");
        var transport = rtk.Server.App.Services.GetRequiredService<WebRtcTransport>();
        var camera = (await Eventually.MatchAsync(() => transport.Sessions.OfType<SfuPublisher>().SelectMany(p => p.Publications).FirstOrDefault(p => p.Layers.Count > 0),
            p => p is not null, "Ada's camera in simulcast layers"))!;
        var session = (await Eventually.MatchAsync(() => transport.Sessions.OfType<ForwardingWhepSession>().FirstOrDefault(s => s.StreamId == camera.StreamId),
            s => s is { IsConnected: true, Video: not null }, "Bob's subscription to Ada's camera"))!;
        var consumer = session.Video!;
        var hub = rtk.Server.App.Services.GetRequiredService<MeetingMediaHub>().Hub;
        string Rates() => string.Join("/", camera.Layers.Prepend(camera).Select(l => hub.Find(l.StreamId)?.Publisher?.VideoBitrate / 1000));
        string Layer() => $"Bob reads {LayerOf(consumer, camera)} ({(consumer.Paused ? "paused" : "sending")}); his estimate " +
            $"{session.Estimate?.EstimateBps / 1000} kbit/s{(session.Estimate?.Constrained == true ? ", a limit shown" : "")}; Ada's f/h/q {Rates()} kbit/s";
        output.WriteLine($"unshaped: {await MeasurePageAsync(bobPage, TimeSpan.FromSeconds(10))}; {Layer()}");

        // His downlink narrows: once he is sent a lower layer and his video moves again (2 s at 10 fps or more, nothing
        // frozen), 30 s measured.
        await link.DownAsync(350);
        await Eventually.MatchAsync(async () => (Layer: LayerOf(consumer, camera), Shown: await MeasurePageAsync(bobPage, TimeSpan.FromSeconds(2))),
            r => r.Layer != "f" && r.Shown.FramesPerSecond >= 10 && r.Shown.FrozenSeconds == 0, "Bob on a lower layer, his video moving", TimeSpan.FromSeconds(40),
            r => $"{r.Shown}; {Layer()}");
        var encoded = await adaPage.VideoSentAsync();
        var narrow = await MeasurePageAsync(bobPage, Window);
        var sent = (await adaPage.VideoSentAsync()).Where(l => l.FramesEncoded > 0).Select(l => string.Create(CultureInfo.InvariantCulture,
            $"{l.Rid} {(l.FramesEncoded - encoded.Where(e => e.Rid == l.Rid).Max(e => e.FramesEncoded)) / Window.TotalSeconds:F1} fps ({l.QualityLimitationReason})"));
        output.WriteLine($"350 kbit/s: {narrow}; {Layer()}; Ada encoded {string.Join(", ", sent)}; {await link.QueueAsync()}");
        Assert.True(narrow.FramesPerSecond >= 10, $"Bob's video moves at 10 fps or more: {narrow}; {Layer()}; Ada encoded {string.Join(", ", sent)}");
        Assert.True(narrow.FrozenSeconds <= 2, $"Bob's video freezes 2 s or less in 30: {narrow}; {Layer()}; Ada encoded {string.Join(", ", sent)}");
        Assert.True(LayerOf(consumer, camera) != "f" && !consumer.Paused, $"Bob is sent a lower layer: {Layer()}");

        // The limit lifts: within 20 s he is sent the full layer again.
        await link.DownAsync(null);
        var lifted = System.Diagnostics.Stopwatch.StartNew();
        var seconds = new List<string>();
        bool BackOnFull()
        {
            if (lifted.Elapsed.TotalSeconds >= seconds.Count + 1)
            {
                seconds.Add($"{seconds.Count + 1} s: {Layer()}"); // each second's, for a failure to show
            }

            return LayerOf(consumer, camera) == "f" && !consumer.Paused;
        }

        await Eventually.MatchAsync(BackOnFull, ok => ok, "Bob back on the full layer", TimeSpan.FromSeconds(20), _ => string.Join("\n", seconds));
        output.WriteLine($"back on f {lifted.Elapsed.TotalSeconds:F1} s after the limit lifted");
    }

    /// <summary>
    /// What a meeting page received over <paramref name="window"/>, as its browser counts it: the video frames it decoded a
    /// second and the seconds its video froze, over every connection (<see cref="JoinMeetingPageAsync"/> keeps them).
    /// </summary>
    private static async Task<Shown> MeasurePageAsync(IPage page, TimeSpan window)
    {
        const string read = """
            async () => {
              let frames = 0, frozen = 0;
              for (const pc of window.connections) {
                (await pc.getStats()).forEach(r => {
                  if (r.type === 'inbound-rtp' && r.kind === 'video') { frames += r.framesDecoded ?? 0; frozen += r.totalFreezesDuration ?? 0; }
                });
              }
              return [frames, frozen];
            }
            """;
        var before = await page.EvaluateAsync<double[]>(read);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(window);
        var after = await page.EvaluateAsync<double[]>(read);
        return new Shown((after[0] - before[0]) / clock.Elapsed.TotalSeconds, after[1] - before[1]);
    }

    private readonly record struct Shown(double FramesPerSecond, double FrozenSeconds)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{FramesPerSecond:F1} fps decoded, {FrozenSeconds:F1} s frozen");
    }

    /// <summary>An app page of <paramref name="browser"/> joined as <paramref name="participant"/> without media, showing everyone's video at 1280x720.</summary>
    private static async Task<RealtimeKitPage> JoinShowingLargeAsync(RealtimeKitBrowser browser, CreatedParticipant participant)
    {
        var page = await browser.OpenAsync();
        await page.InitAsync(participant.Token, browser.BaseUri, media: false);
        await page.ShowVideosAsync(1280, 720);
        await page.JoinAsync();
        return page;
    }

    /// <summary>A preset "simulcaster": a group call whose participants send their camera in HD, in simulcast layers.</summary>
    private static async Task CreateSimulcastPresetAsync(StagecastApiClient api) => (await api.PostAsync("/presets", JsonSerializer.Serialize(new
    {
        name = "simulcaster",
        config = new { view_type = "GROUP_CALL", media = new { video = new { quality = "hd", frame_rate = 30, simulcast = true } } },
        permissions = new { can_produce_audio = true, can_produce_video = true },
    }))).EnsureOk();

    /// <summary>The publisher's camera (the one publication of the test's one publisher).</summary>
    private static SfuPublication CameraOf(WebRtcTransport transport) =>
        transport.Sessions.OfType<SfuPublisher>().Single(p => p.Publications.Count > 0).Publications.Single();

    /// <summary>The simulcast layer <paramref name="consumer"/> reads of <paramref name="camera"/>: f (the camera's own stream), h or q.</summary>
    private static string LayerOf(SfuConsumer consumer, SfuPublication camera) =>
        consumer.Reading.Id == camera.StreamId ? "f" : consumer.Reading.Id[(camera.StreamId.Length + 1)..];

    /// <summary>
    /// Each second of <paramref name="window"/>: the layer the server sends the (only) viewer of the publisher's camera, or
    /// that it paused it, the viewer's estimate, and the packets each layer of the camera brought in that second (f/h/q).
    /// </summary>
    private static async Task<string> Timeline(WebRtcTransport transport, TimeSpan window)
    {
        var camera = CameraOf(transport);
        var rows = new List<string>();
        long[] last = [];
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); clock.Elapsed < window;)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var session = transport.Sessions.OfType<SfuReceiveSession>().FirstOrDefault(r => r.Consumers.Any(c => c.Video && c.Stream.Id == camera.StreamId));
            var consumer = session?.Consumers.First(c => c.Video && c.Stream.Id == camera.StreamId);
            long[] packets = [camera.Video!.Packets, .. camera.Layers.Select(l => l.Video!.Packets)];
            string layer = consumer is null ? "none" : consumer.Paused ? "paused" : LayerOf(consumer, camera);
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F0} s {layer} ({session?.Estimate?.EstimateBps / 1000} kbit/s) {string.Join("/", packets.Select((p, i) => p - (last.Length > i ? last[i] : p)))}"));
            last = packets;
        }

        return string.Join("; ", rows);
    }

    /// <summary>What <paramref name="page"/> sends per layer over 5 s (kbit/s, the widest frame, the reason its quality is limited).</summary>
    private static async Task<IEnumerable<string>> SentAsync(RealtimeKitPage page)
    {
        long Bytes(IEnumerable<RtkVideoSent> rows, string rid) => rows.Where(r => r.Rid == rid).Sum(r => r.BytesSent);
        var before = await page.VideoSentAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var after = (await page.VideoSentAsync()).Where(l => l.FramesEncoded > 0).ToList(); // not the senders a renegotiation left idle
        return after.Select(l => string.Create(CultureInfo.InvariantCulture,
            $"{l.Rid} {(Bytes(after, l.Rid) - Bytes(before, l.Rid)) * 8 / 5000.0:F0} kbit/s {l.FrameWidth} px ({l.QualityLimitationReason})"));
    }

    /// <summary>
    /// Stagecast's meeting page (/meet) in <paramref name="browser"/>, joined as <paramref name="participant"/> (with
    /// camera and microphone when its preset may send them); the connections it makes are kept in
    /// <c>window.connections</c> for their stats.
    /// </summary>
    private static async Task<IPage> JoinMeetingPageAsync(RealtimeKitBrowser browser, string meeting, CreatedParticipant participant, string name)
    {
        var page = await browser.Browser.OpenUrlAsync($"https://{browser.BaseUri}/meet/{meeting}#token={participant.Token}&name={name}");
        await page.EvaluateAsync("""
            () => {
              const Native = window.RTCPeerConnection;
              window.connections = [];
              window.RTCPeerConnection = function (...args) { const pc = new Native(...args); window.connections.push(pc); return pc; };
              window.RTCPeerConnection.prototype = Native.prototype;
            }
            """);
        await page.ClickAsync("#join");
        await page.WaitForSelectorAsync("#room:not([hidden])", new PageWaitForSelectorOptions { Timeout = 30_000 });
        return page;
    }

    /// <summary>What the page received over <paramref name="window"/>: frames a second, seconds frozen, audio packets a second and the share lost, kbit/s of video.</summary>
    private static async Task<Received> MeasureAsync(RealtimeKitPage page, TimeSpan window)
    {
        var before = await page.MediaStatsAsync();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(window);
        var after = await page.MediaStatsAsync();
        double seconds = clock.Elapsed.TotalSeconds;
        long packets = after.AudioPackets - before.AudioPackets, lost = after.AudioPacketsLost - before.AudioPacketsLost;
        return new Received(
            (after.FramesDecoded - before.FramesDecoded) / seconds,
            after.FreezesSeconds - before.FreezesSeconds,
            packets / seconds,
            packets + lost > 0 ? lost / (double)(packets + lost) : 1,
            (after.VideoBytes - before.VideoBytes) * 8 / seconds / 1000,
            after.FrameWidth);
    }

    private readonly record struct Received(double FramesPerSecond, double FreezesSeconds, double AudioPacketsPerSecond, double AudioLoss, double VideoKbps, int FrameWidth)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{FramesPerSecond:F1} fps, {FreezesSeconds:F1} s frozen, {AudioPacketsPerSecond:F0} audio packets/s ({AudioLoss:P1} lost), {VideoKbps:F0} kbit/s of video, {FrameWidth} px wide");
    }
}
