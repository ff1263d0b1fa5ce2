using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Tests.RealtimeKit;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Congestion;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whep;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// The meeting's SFU core (<see cref="MeetingRouter"/>) forwarding media, in process and without a browser: a peer
/// publishing over meeting WHIP or RealtimeKit's send transport, peers receiving over meeting WHEP or RealtimeKit
/// consumers, all on Stagecast's own WebRTC clients with synthetic RTP (<see cref="RtpSender"/>). What the server-side
/// browser classes check of the forwarding (<c>MeetingMediaBrowserTests</c>, <c>RealtimeKitConsumeTests</c>) is checked
/// here packet by packet: nothing forwarded while muted and the subscribers resumed at the keyframe the server asks
/// for, NACKs answered from what was sent, PLIs passed on at most once per 500 ms (on a manual clock), the active
/// speaker following the audio levels, a peer that leaves, or falls silent (its media timeout, on a manual clock),
/// taking its producers and their consumers with it, <c>max_video_streams</c> counting peers, not streams, and the
/// stage: media admitted only from a peer on it, one sent off it losing its producers and streams at once.
/// </summary>
public sealed class MeetingRouterMediaTests : IAsyncLifetime
{
    private static readonly TimeSpan FeedbackTick = TimeSpan.FromMilliseconds(250);
    private MeetingMediaServer? _server;
    private string _meeting = null!;

    /// <summary>The test's server (each starts its own, some on a manual clock).</summary>
    private MeetingMediaServer Media => _server ?? throw new InvalidOperationException("start the server first");

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task NothingIsForwardedWhileACameraIsMutedAndItsSubscribersResumeAtTheKeyframeTheServerAsksFor()
    {
        await StartAsync();
        var ada = await AddAsync("ada");
        var bob = await AddAsync("bob");
        var cy = await AddAsync("cy");
        var (adaChannel, adaPeer) = await Media.JoinChannelAsync(ada);
        var (bobChannel, _) = await Media.JoinChannelAsync(bob);
        var cyClient = await Media.JoinRealtimeKitAsync(cy);
        await cyClient.CreateReceiveTransportAsync();

        // Ada publishes her camera over WHIP; Cy, on RealtimeKit, is told of its tracks as they flow and consumes them;
        // Bob watches it over WHEP.
        var adaCamera = await Media.PublishAsync(ada, adaPeer);
        var atAda = new ReceivedRtp(adaCamera);
        var (adaVideo, adaAudio) = (RtpSender.H264(adaCamera), RtpSender.Opus(adaCamera));
        await MeetingMediaServer.WhileSendingAsync(() =>
        {
            adaVideo.Send();
            adaAudio.Send();
        }, () => cyClient.ProducersAnnounced(ProducerKind.Video).Any() && cyClient.ProducersAnnounced(ProducerKind.Audio).Any(), "Cy told of Ada's camera and microphone");
        var video = cyClient.ProducersAnnounced(ProducerKind.Video).Single();
        var audio = cyClient.ProducersAnnounced(ProducerKind.Audio).Single();
        Assert.All((await cyClient.ConsumeAsync(video.ProducerId, audio.ProducerId)).Values, c => Assert.Equal("", c.ErrorCode));
        var bobWatching = await Media.WatchAsync(bob, adaPeer);
        var (atBob, atCy) = (new ReceivedRtp(bobWatching), new ReceivedRtp(cyClient.Receiving!));
        var stream = Media.Stream(_meeting, adaPeer)!;
        await Eventually.TrueAsync(() => stream.Readers.Count(r => r.Name.StartsWith("sfu-", StringComparison.Ordinal)) == 4,
            "Bob's subscription's two tracks and Cy's two consumers reading Ada's stream");

        // A keyframe and four pictures, and some audio: each subscriber gets them all (the pictures keep their timestamps).
        SendPictures(adaVideo, true, false, false, false, false);
        SendAudio(adaAudio, 5);
        uint last = adaVideo.Timestamp;
        await Eventually.TrueAsync(() => atBob.IndexOfVideo(last) >= 0 && atCy.IndexOfVideo(last) >= 0, "Ada's five pictures at Bob and Cy");
        var (bobPictures, cyPictures) = (atBob.Video.Count, atCy.Video.Count);
        Assert.True(bobPictures >= 5 && cyPictures >= 5, $"Bob has {bobPictures} pictures, Cy {cyPictures}");

        // Ada turns her camera off: Cy is told its producer paused, and the pictures she goes on sending reach the
        // server but nobody else (the audio sent after them gets through).
        await adaChannel.OkAsync("media_state", new { video_enabled = false });
        await cyClient.Socket.WaitForAsync(m => m.Event == Events.Media.PeerProducerToggleBroadcast && IsToggle(m, video.ProducerId, pause: true));
        var camera = Media.Publication(_meeting, adaPeer)!;
        long arrived = camera.Video!.Packets;
        var (bobAudio, cyAudio) = (atBob.Audio.Count, atCy.Audio.Count);
        SendPictures(adaVideo, true, false, false, true, false, false);
        SendAudio(adaAudio, 5);
        await Eventually.TrueAsync(() => camera.Video.Packets == arrived + 6 && atBob.Audio.Count == bobAudio + 5 && atCy.Audio.Count == cyAudio + 5,
            "the muted pictures at the server and the audio after them at Bob and Cy");
        Assert.Equal((bobPictures, cyPictures), (atBob.Video.Count, atCy.Video.Count));

        // On again: Cy is told, and the server asks Ada for a keyframe; the pictures she sends until it comes are not
        // forwarded, so each subscriber resumes at it, its sequence numbers going on without a gap.
        int plis = atAda.Plis;
        await adaChannel.OkAsync("media_state", new { video_enabled = true });
        await cyClient.Socket.WaitForAsync(m => m.Event == Events.Media.PeerProducerToggleBroadcast && IsToggle(m, video.ProducerId, pause: false));
        await MeetingMediaServer.WhileSendingAsync(() => adaVideo.Send(keyframe: false), () => atAda.Plis > plis, "a PLI to Ada");
        SendPictures(adaVideo, true, false, false);
        await Eventually.TrueAsync(() => atBob.Video.Count >= bobPictures + 3 && atCy.Video.Count >= cyPictures + 3, "Ada's pictures from her keyframe at Bob and Cy");
        foreach (var (received, before) in new[] { (atBob, bobPictures), (atCy, cyPictures) })
        {
            var pictures = received.Video;
            Assert.Equal([true, false, false], pictures.Skip(before).Select(p => p.Keyframe));
            Assert.Equal(Enumerable.Range(0, pictures.Count).Select(i => (ushort)(pictures[0].Sequence + i)), pictures.Select(p => p.Sequence));
        }
    }

    [Fact]
    public async Task AWhepSubscriptionNumbersItsPacketsTransportWideAndTheViewersFeedbackIsItsEstimate()
    {
        await StartAsync();
        var ada = await AddAsync("ada");
        var bob = await AddAsync("bob");
        var (adaChannel, adaPeer) = await Media.JoinChannelAsync(ada);
        var (bobChannel, _) = await Media.JoinChannelAsync(bob);
        var adaCamera = await Media.PublishAsync(ada, adaPeer);
        var (adaVideo, adaAudio) = (RtpSender.H264(adaCamera), RtpSender.Opus(adaCamera));
        void Send(int picture)
        {
            adaAudio.Send();
            adaVideo.Send(keyframe: picture % 5 == 0);
        }

        int sent = 0;
        await MeetingMediaServer.WhileSendingAsync(() => Send(sent++), () => Media.Stream(_meeting, adaPeer)?.RtpVideo is not null, "Ada's camera in the meeting's hub");

        // Bob's offer has the transport-wide sequence number (as browsers' do): every packet of both his tracks carries
        // the next number of one sequence.
        var bobWatching = await Media.WatchAsync(bob, adaPeer);
        var arrivals = new ConcurrentDictionary<ushort, long>();
        bobWatching.RtpReceived = packet =>
        {
            if (RtpExtensions.TryFind(packet, WhipClient.TransportWideCcExtensionId, out var number) && number.Length == 2)
            {
                arrivals[BinaryPrimitives.ReadUInt16BigEndian(number)] = (long)Stopwatch.GetElapsedTime(0).TotalMicroseconds;
            }
        };
        await MeetingMediaServer.WhileSendingAsync(() => Send(sent++), () => arrivals.Count > 40, "numbered packets at Bob");
        var numbers = arrivals.Keys.Order().ToList();
        Assert.Equal(numbers[^1] - numbers[0] + 1, numbers.Count); // no gap: one numbering across the tracks

        // He reports them arrived, as Chrome does: his subscription has an estimate of his downlink, and his call
        // stats show it for each track he watches.
        var session = Media.Service<WebRtcTransport>().Sessions.OfType<ForwardingWhepSession>().Single();
        Assert.Null(session.Estimate);
        var feedback = new byte[TransportFeedbackRecorder.MaxFeedbackBytes];
        int covered = TransportFeedback.Write(feedback, 1, 0, numbers[0], [.. numbers.Select(n => arrivals[n])], 0, out int length);
        Assert.Equal(numbers.Count, covered);
        bobWatching.SendRtcp(feedback.AsSpan(0, length));
        await Eventually.TrueAsync(() => session.Estimate is { AckedBps: > 0, EstimateBps: >= DownlinkEstimator.MinimumBps }, "an estimate from Bob's feedback");
        long estimate = session.Estimate!.Value.EstimateBps;
        Assert.Matches(@"\nstagecast_webrtc_estimated_connections 1\n", await Media.Server.MetricsAsync());
        var quality = (await Media.Api.GetAsync($"/sessions/{Media.Room(_meeting).SessionId}/participants/{bob.Id}")).EnsureOk()
            .Data.GetProperty("peer_report").GetProperty("quality");
        var consumed = quality.GetProperty("audio_consumer").EnumerateArray().Concat(quality.GetProperty("video_consumer").EnumerateArray()).ToList();
        Assert.Equal(2, consumed.Count);
        Assert.All(consumed, track => Assert.Equal(estimate / 1000.0, track.GetProperty("estimate").GetDouble(), 0.1));
        await adaChannel.DisposeAsync();
        await bobChannel.DisposeAsync();
    }

    [Fact]
    public async Task NacksAreAnsweredFromWhatWasSentAndPlisReachThePublisherAtMostOnceEveryHalfSecond()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await StartAsync(clock);
        var ada = await AddAsync("ada");
        var bob = await AddAsync("bob");
        var cy = await AddAsync("cy");
        var (adaChannel, adaPeer) = await Media.JoinChannelAsync(ada);
        var (cyChannel, _) = await Media.JoinChannelAsync(cy);
        var bobClient = await Media.JoinRealtimeKitAsync(bob);
        await bobClient.CreateReceiveTransportAsync();

        // Ada publishes her camera over WHIP; Bob consumes it on RealtimeKit, Cy watches it over WHEP.
        var adaCamera = await Media.PublishAsync(ada, adaPeer);
        var atAda = new ReceivedRtp(adaCamera);
        var adaVideo = RtpSender.H264(adaCamera);
        await MeetingMediaServer.WhileSendingAsync(adaVideo.Send, () => bobClient.ProducersAnnounced(ProducerKind.Video).Any(), "Bob told of Ada's camera");
        Assert.Equal("", (await bobClient.ConsumeAsync(bobClient.ProducersAnnounced(ProducerKind.Video).Single().ProducerId)).Values.Single().ErrorCode);
        var cyWatching = await Media.WatchAsync(cy, adaPeer);
        var (atBob, atCy) = (new ReceivedRtp(bobClient.Receiving!), new ReceivedRtp(cyWatching));
        var stream = Media.Stream(_meeting, adaPeer)!;
        await Eventually.TrueAsync(() => stream.Readers.Count(r => r.Name.StartsWith("sfu-", StringComparison.Ordinal)) == 3,
            "Bob's consumer and Cy's subscription's two tracks reading Ada's stream");

        // Bob's network loses the third, fifth and seventh of ten pictures, Cy's the third and fifth.
        var bobLost = Losing(bobClient.Receiving!, 2, 4, 6);
        var cyLost = Losing(cyWatching, 2, 4);
        SendPictures(adaVideo, true, false, false, false, false, false, false, false, false, false);
        uint last = adaVideo.Timestamp;
        await Eventually.TrueAsync(() => atBob.IndexOfVideo(last) >= 0 && atCy.IndexOfVideo(last) >= 0, "the pictures Bob's and Cy's networks let through");
        Assert.Equal((3, 2), (bobLost.Count, cyLost.Count));
        var (bobSsrc, cySsrc) = (atBob.Video[0].Ssrc, atCy.Video[0].Ssrc);
        var (bobPictures, cyPictures) = (atBob.Video.Count, atCy.Video.Count);

        // Each asks for what it lost and for one never sent: what was lost comes again, as it was numbered.
        ushort never = (ushort)(bobLost[0] + 1000);
        bobClient.Receiving!.SendRtcp(Feedback(bobSsrc, pli: false, bobLost[0], bobLost[1], never));
        cyWatching.SendRtcp(Feedback(cySsrc, pli: false, cyLost[0], (ushort)(cyLost[0] + 1000)));
        await Eventually.TrueAsync(() => atBob.Video.Count >= bobPictures + 2 && atCy.Video.Count >= cyPictures + 1, "the pictures Bob and Cy asked for");
        Assert.Equal([(bobSsrc, bobLost[0]), (bobSsrc, bobLost[1])], atBob.Video.Skip(bobPictures).Select(p => (p.Ssrc, p.Sequence)));
        Assert.Equal([(cySsrc, cyLost[0])], atCy.Video.Skip(cyPictures).Select(p => (p.Ssrc, p.Sequence)));

        // A keyframe grants any wish left from the subscribers' starts: the feedback ticks ask Ada for nothing more.
        var camera = Media.Publication(_meeting, adaPeer)!;
        long arrived = camera.Video!.Packets;
        adaVideo.Send();
        await Eventually.TrueAsync(() => camera.Video.Packets == arrived + 1, "Ada's keyframe at the server");
        await TickAsync(clock, adaCamera);
        int plis = atAda.Plis;
        await TickAsync(clock, adaCamera);
        await TickAsync(clock, adaCamera);
        Assert.Equal(plis, atAda.Plis);

        // Bob's PLI (sent with a NACK whose answer shows it was handled) reaches Ada at the next tick; Cy's, right
        // after, only half a second after that one.
        bobClient.Receiving.SendRtcp(Feedback(bobSsrc, pli: true, bobLost[2]));
        await Eventually.TrueAsync(() => atBob.Video.Any(p => p.Sequence == bobLost[2]), "Bob's PLI and NACK handled");
        await TickAsync(clock, adaCamera);
        Assert.Equal(plis + 1, atAda.Plis);
        cyWatching.SendRtcp(Feedback(cySsrc, pli: true, cyLost[1]));
        await Eventually.TrueAsync(() => atCy.Video.Any(p => p.Sequence == cyLost[1]), "Cy's PLI and NACK handled");
        await TickAsync(clock, adaCamera);
        Assert.Equal(plis + 1, atAda.Plis); // 250 ms after the last
        await TickAsync(clock, adaCamera);
        Assert.Equal(plis + 2, atAda.Plis); // 500 ms after it
        Assert.DoesNotContain(atBob.Video, p => p.Sequence == never);
    }

    [Fact]
    public async Task APublisherThatFallsSilentIsGoneAtItsMediaTimeoutAndItsConsumersEndWithItsStream()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await StartAsync(clock);
        var ada = await AddAsync("ada");
        var bob = await AddAsync("bob");
        var cy = await AddAsync("cy");
        var (_, adaPeer) = await Media.JoinChannelAsync(ada);
        var (cyChannel, _) = await Media.JoinChannelAsync(cy);
        var bobClient = await Media.JoinRealtimeKitAsync(bob);
        await bobClient.CreateReceiveTransportAsync();

        // Ada publishes over WHIP; Bob consumes her camera and microphone on RealtimeKit, Cy watches them over WHEP.
        var adaCamera = await Media.PublishAsync(ada, adaPeer);
        var (adaVideo, adaAudio) = (RtpSender.H264(adaCamera), RtpSender.Opus(adaCamera));
        void Send()
        {
            adaVideo.Send();
            adaAudio.Send();
        }

        await MeetingMediaServer.WhileSendingAsync(Send, () => bobClient.ProducersAnnounced(ProducerKind.Video).Any() && bobClient.ProducersAnnounced(ProducerKind.Audio).Any(),
            "Bob told of Ada's camera and microphone");
        var produced = bobClient.ProducersAnnounced(ProducerKind.Video).Concat(bobClient.ProducersAnnounced(ProducerKind.Audio)).Select(p => p.ProducerId).ToList();
        Assert.All((await bobClient.ConsumeAsync([.. produced])).Values, c => Assert.Equal("", c.ErrorCode));
        var cyWatching = await Media.WatchAsync(cy, adaPeer);
        await MeetingMediaServer.WhileSendingAsync(Send, () => bobClient.Receiving!.VideoPackets > 0 && cyWatching.VideoPackets > 0, "Ada's pictures at Bob and Cy");

        // Ada's browser is killed: nothing says goodbye, and after the media timeout of silence her source is gone:
        // the channel hears her camera and microphone off, RealtimeKit that their producers closed.
        var publication = Media.Publication(_meeting, adaPeer)!;
        await adaCamera.DisposeAsync();
        var timeout = Media.Service<MeetingMediaService>().Options.MediaTimeout;
        for (var silent = TimeSpan.Zero; !publication.IsClosed && silent <= timeout + FeedbackTick; silent += FeedbackTick)
        {
            clock.Advance(FeedbackTick);
        }

        Assert.Equal($"the publisher sent nothing for {timeout.TotalSeconds} s", publication.CloseReason);
        await cyChannel.WaitForEventAsync("peer_updated", e => e.GetProperty("peer").GetProperty("id").GetString() == adaPeer
            && !e.GetProperty("peer").GetProperty("video_enabled").GetBoolean() && !e.GetProperty("peer").GetProperty("audio_enabled").GetBoolean());
        foreach (string producer in produced)
        {
            await bobClient.Socket.WaitForAsync(m => m.Event == Events.Media.PeerProducerCloseBroadcast
                && PeerProducerCloseBroadcastResponse.Parser.ParseFrom(m.Payload).ProducerState.ProducerId == producer);
        }

        // Her stream waits for her to publish again; when she does not, every consumer of it ends with it.
        var router = Media.Router(_meeting);
        Assert.Equal(3, router.Consumers.Count(c => c.PublisherPeerId == adaPeer));
        clock.Advance(Media.Service<MeetingMediaService>().Options.RepublishWindow);
        await Eventually.TrueAsync(() => Media.Stream(_meeting, adaPeer) is null, "Ada's stream to end");
        await Eventually.TrueAsync(() => !router.Consumers.Any(c => c.PublisherPeerId == adaPeer), "Bob's consumers and Cy's subscription to end");
        Assert.DoesNotContain(Media.Service<WebRtcTransport>().Sessions, s => s is ForwardingWhepSession);
    }

    [Fact]
    public async Task TheActiveSpeakerFollowsTheLoudestMicrophoneWhicheverFrontEndItComesThrough()
    {
        await StartAsync();
        var ada = await AddAsync("ada");
        var bob = await AddAsync("bob");
        var cy = await AddAsync("cy");

        // Ada publishes over meeting WHIP, Bob produces on RealtimeKit; each microphone's packets carry its level.
        var (adaChannel, adaPeer) = await Media.JoinChannelAsync(ada);
        var adaCamera = await Media.PublishAsync(ada, adaPeer);
        var bobClient = await Media.JoinRealtimeKitAsync(bob);
        await bobClient.CreateSendTransportAsync();
        string bobMicrophone = ProducerCreateResponse.Parser.ParseFrom(RealtimeKitMediaClient.Ok(await bobClient.ProduceAsync("audio")).Payload).ProducerId;
        string bobPeer = Media.PeerOf(_meeting, bob).Id;
        var adaAudio = RtpSender.Opus(adaCamera, level: 20);
        var bobAudio = bobClient.Sending!.Sender(RealtimeKitMediaClient.AudioMid, level: 127);
        void Speak()
        {
            adaAudio.Send();
            bobAudio.Send();
        }

        // Ada speaks: she is the speaker, for the channel and for RealtimeKit (which names her by her room id).
        var room = Media.Room(_meeting);
        await MeetingMediaServer.WhileSendingAsync(Speak, () => room.ActiveSpeaker == adaPeer, "Ada the active speaker");
        await adaChannel.WaitForEventAsync("active_speaker", e => e.GetProperty("peer_id").GetString() == adaPeer);
        await bobClient.Socket.WaitForAsync(m => m.Event == Events.Media.SelectedPeerDiff && SpeakerOf(m) == adaPeer);

        // She falls silent and Bob speaks: he takes over (towards his own client, under the peer id it chose).
        (adaAudio.Level, bobAudio.Level) = (127, 20);
        await MeetingMediaServer.WhileSendingAsync(Speak, () => room.ActiveSpeaker == bobPeer, "Bob the active speaker");
        await adaChannel.WaitForEventAsync("active_speaker", e => e.GetProperty("peer_id").GetString() == bobPeer);
        await bobClient.Socket.WaitForAsync(m => m.Event == Events.Media.SelectedPeerDiff && SpeakerOf(m) == bobClient.Socket.PeerId);

        // Bob pauses his microphone and goes on sending loud packets: they count as silence, and Ada, speaking softly, takes over.
        await bobClient.ToggleProducerAsync(bobMicrophone, pause: true);
        (adaAudio.Level, bobAudio.Level) = (40, 5);
        await MeetingMediaServer.WhileSendingAsync(Speak, () => room.ActiveSpeaker == adaPeer, "Ada the active speaker again");

        // A peer joining now learns who speaks from its join answer.
        await using var cyChannel = await RealtimeTestClient.ConnectAsync(Media.Server.HttpBase, cy.Token, Media.Certificate);
        Assert.Equal(adaPeer, (await cyChannel.OkAsync("join")).GetProperty("active_speaker").GetString());
    }

    [Fact]
    public async Task APeerThatLeavesTakesItsProducersAndEveryConsumerOfThemWithIt()
    {
        await StartAsync();
        var ada = await AddAsync("ada");
        var bob = await AddAsync("bob");
        var cy = await AddAsync("cy");
        var bobClient = await Media.JoinRealtimeKitAsync(bob);
        await bobClient.CreateReceiveTransportAsync();
        var (cyChannel, _) = await Media.JoinChannelAsync(cy);

        // Ada produces her microphone and camera on RealtimeKit; Bob consumes both there, Cy watches them over WHEP.
        var adaClient = await Media.JoinRealtimeKitAsync(ada);
        await adaClient.CreateSendTransportAsync();
        RealtimeKitMediaClient.Ok(await adaClient.ProduceAsync("audio"));
        RealtimeKitMediaClient.Ok(await adaClient.ProduceAsync("video"));
        var adaPeer = Media.PeerOf(_meeting, ada);
        var (adaAudio, adaVideo) = (adaClient.Sending!.Sender(RealtimeKitMediaClient.AudioMid), adaClient.Sending.Sender(RealtimeKitMediaClient.VideoMid));
        void Send()
        {
            adaAudio.Send();
            adaVideo.Send();
        }

        await MeetingMediaServer.WhileSendingAsync(Send, () => Media.Stream(_meeting, adaPeer.Id) is not null
            && bobClient.ProducersAnnounced(ProducerKind.Audio).Any() && bobClient.ProducersAnnounced(ProducerKind.Video).Any(), "Ada's camera stream in the hub, Bob told of its tracks");
        Assert.All((await bobClient.ConsumeAsync([.. bobClient.ProducersAnnounced(ProducerKind.Audio).Concat(bobClient.ProducersAnnounced(ProducerKind.Video)).Select(p => p.ProducerId)])).Values,
            c => Assert.Equal("", c.ErrorCode));
        var cyWatching = await Media.WatchAsync(cy, adaPeer.Id);
        await MeetingMediaServer.WhileSendingAsync(Send, () => bobClient.Receiving!.VideoPackets > 0 && bobClient.Receiving.AudioPackets > 0 && cyWatching.VideoPackets > 0 && cyWatching.AudioPackets > 0,
            "Ada's media at Bob and Cy");
        var router = Media.Router(_meeting);
        Assert.Equal(2, router.ProducersOf(adaPeer).Count);
        Assert.Equal(3, router.Consumers.Count(c => c.PublisherPeerId == adaPeer.Id));

        // She leaves: the others hear her go, her producers and transports end, and so does every consumer of them.
        await adaClient.LeaveAsync();
        await bobClient.Socket.WaitForAsync(m => m.Event == Events.Media.PeerLeaveBroadcast);
        await cyChannel.WaitForEventAsync("peer_left", e => e.GetProperty("peer_id").GetString() == adaPeer.Id);
        Assert.Empty(router.ProducersOf(adaPeer));
        await Eventually.MatchAsync(() => router.Consumers.Where(c => c.PublisherPeerId == adaPeer.Id).ToList(), c => c.Count == 0, "the consumers of Ada's producers to end",
            TimeSpan.FromSeconds(10), c => string.Join(", ", c.Select(c => c.Id)));
        var transport = Media.Service<WebRtcTransport>();
        await Eventually.TrueAsync(() => !transport.Sessions.Any(s => s is SfuPublisher or ForwardingWhepSession), "Ada's send transport and Cy's subscription to end");
        Assert.Null(Media.Stream(_meeting, adaPeer.Id));
    }

    [Fact]
    public async Task TheRouterHoldsEveryFrontEndsTransportsAndASubscriberThatLeavesTakesItsOwnWithIt()
    {
        await StartAsync();
        var ada = await AddAsync("ada");
        var bob = await AddAsync("bob");
        var cy = await AddAsync("cy");
        var (_, adaPeer) = await Media.JoinChannelAsync(ada);
        var (cyChannel, cyPeer) = await Media.JoinChannelAsync(cy);
        var bobClient = await Media.JoinRealtimeKitAsync(bob);
        await bobClient.CreateSendTransportAsync();
        await bobClient.CreateReceiveTransportAsync();

        // Ada publishes over WHIP, Cy watches her over WHEP, Bob has RealtimeKit's two transports: four transports of
        // the router, each its peer's.
        var adaCamera = await Media.PublishAsync(ada, adaPeer);
        var (adaVideo, adaAudio) = (RtpSender.H264(adaCamera), RtpSender.Opus(adaCamera));
        await MeetingMediaServer.WhileSendingAsync(() =>
        {
            adaVideo.Send();
            adaAudio.Send();
        }, () => Media.Stream(_meeting, adaPeer) is not null, "Ada's camera stream in the hub");
        await Media.WatchAsync(cy, adaPeer);
        var router = Media.Router(_meeting);
        var bobPeer = Media.PeerOf(_meeting, bob).Id;
        Assert.Equal(
            new[] { (adaPeer, true), (bobPeer, false), (bobPeer, true), (cyPeer, false) }.Order().ToList(),
            router.Transports.Select(t => (t.Peer.Id, t.Producing)).Order().ToList());
        var cyWatch = router.Transports.Single(t => t.Peer.Id == cyPeer).Session;
        var bobTransports = router.Transports.Where(t => t.Peer.Id == bobPeer).Select(t => t.Session).ToList();

        // Cy and Bob leave: their transports close and leave the router; Ada's publish goes on.
        await cyChannel.OkAsync("leave");
        await bobClient.LeaveAsync();
        await Eventually.TrueAsync(() => cyWatch.IsClosed && bobTransports.TrueForAll(s => s.IsClosed), "Cy's subscription and Bob's transports to close");
        await Eventually.TrueAsync(() => router.Transports.Select(t => t.Peer.Id).SequenceEqual([adaPeer]), "only Ada's publish left in the router");
        Assert.False(router.Transports.Single().Session.IsClosed);
    }

    [Fact]
    public async Task MaxVideoStreamsCountsPeersNotStreamsAClosedConsumerFreesItsPlaceAndSoDoesAPublisherThatLeaves()
    {
        await StartAsync(settings: ["--set", "Stagecast:MeetingMedia:MaxPublishersPerMeeting=2"]);
        await Media.Api.PostAsync("/presets", """{"name":"narrow","config":{"max_video_streams":{"desktop":1,"mobile":1}}}""");
        var ada = await AddAsync("ada");
        var carl = await AddAsync("carl");
        var dora = await AddAsync("dora");
        var watcher = await AddAsync("watcher", "narrow");
        var watcherClient = await Media.JoinRealtimeKitAsync(watcher);
        await watcherClient.CreateReceiveTransportAsync();

        // Ada shares her camera and her screen on one send transport, Carl his camera: the meeting's two publishers.
        var adaClient = await Media.JoinRealtimeKitAsync(ada);
        await adaClient.CreateSendTransportAsync(screen: true);
        RealtimeKitMediaClient.Ok(await adaClient.ProduceAsync("video"));
        RealtimeKitMediaClient.Ok(await adaClient.ProduceAsync("video", screenShare: true));
        var carlClient = await Media.JoinRealtimeKitAsync(carl);
        await carlClient.CreateSendTransportAsync();
        RealtimeKitMediaClient.Ok(await carlClient.ProduceAsync("video"));
        var doraClient = await Media.JoinRealtimeKitAsync(dora);
        await doraClient.CreateSendTransportAsync();
        Assert.Contains("2 publishing peers", RealtimeKitMediaClient.ErrorOf(await doraClient.ProduceAsync("video")));
        var senders = new[]
        {
            adaClient.Sending!.Sender(RealtimeKitMediaClient.VideoMid), adaClient.Sending.Sender(RealtimeKitSendTransport.ScreenMid),
            carlClient.Sending!.Sender(RealtimeKitMediaClient.VideoMid),
        };
        await MeetingMediaServer.WhileSendingAsync(() => Array.ForEach(senders, s => s.Send()), () => watcherClient.ProducersAnnounced(ProducerKind.Video).Count() == 3,
            "the watcher told of three videos");

        // The watcher's preset lets it receive one other peer's video: Ada's camera and screen are one peer's, Carl's is refused.
        var videos = watcherClient.ProducersAnnounced(ProducerKind.Video).ToList();
        var adas = videos.Where(p => p.ProducingTransportId == adaClient.SendTransportId).ToList();
        var carls = videos.Single(p => p.ProducingTransportId == carlClient.SendTransportId);
        Assert.Equal([false, true], adas.Select(p => p.ScreenShare).Order());
        var consumed = await watcherClient.ConsumeAsync([.. adas.Select(p => p.ProducerId)]);
        Assert.All(consumed.Values, c => Assert.Equal("", c.ErrorCode));
        Assert.Contains("max_video_streams", (await watcherClient.ConsumeAsync(carls.ProducerId))[carls.ProducerId].ErrorCode);

        // It closes its consumers of Ada's videos: Carl's may be consumed now.
        await watcherClient.CloseConsumersAsync([.. consumed.Values.Select(c => c.ProducerTrack.StreamId)]);
        Assert.Equal("", (await watcherClient.ConsumeAsync(carls.ProducerId))[carls.ProducerId].ErrorCode);

        // Carl leaves the meeting: Dora may publish now.
        await carlClient.LeaveAsync();
        RealtimeKitMediaClient.Ok(await doraClient.ProduceAsync("video"));
    }

    [Fact]
    public async Task OnlyAPeerOnTheStageProducesAndOneSentOffItLosesItsProducersAtOnce()
    {
        await StartAsync();
        var host = await AddAsync("host", "webinar_host");
        var ada = await AddAsync("ada", "webinar_viewer");
        var vic = await AddAsync("vic", "webinar_viewer");
        var hostClient = await Media.JoinRealtimeKitAsync(host);
        await hostClient.CreateReceiveTransportAsync();
        var (adaChannel, adaPeerId) = await Media.JoinChannelAsync(ada);
        var vicClient = await Media.JoinRealtimeKitAsync(vic);
        await vicClient.CreateSendTransportAsync();
        var room = Media.Room(_meeting);
        var (adaPeer, vicPeer) = (Media.PeerOf(_meeting, ada), Media.PeerOf(_meeting, vic));

        // Off the stage, the attendees' presets would let them produce (CAN_REQUEST), but the router admits neither.
        await AssertNotOnStageAsync(ada, adaPeerId);
        Assert.Contains("you are not on the stage", RealtimeKitMediaClient.ErrorOf(await vicClient.ProduceAsync("audio")));

        // Both are let on and join: Ada publishes her camera over WHIP, Vic produces his microphone; the host is told of both.
        await room.Stage.GrantAsync(null, p => p == adaPeer || p == vicPeer);
        await room.Stage.JoinAsync(adaPeer);
        await room.Stage.JoinAsync(vicPeer);
        var adaCamera = await Media.PublishAsync(ada, adaPeerId);
        RealtimeKitMediaClient.Ok(await vicClient.ProduceAsync("audio"));
        var (adaAudio, vicAudio) = (RtpSender.Opus(adaCamera), vicClient.Sending!.Sender(RealtimeKitMediaClient.AudioMid));
        await MeetingMediaServer.WhileSendingAsync(() =>
        {
            adaAudio.Send();
            vicAudio.Send();
        }, () => hostClient.ProducersAnnounced(ProducerKind.Audio).Count() == 2 && Media.Stream(_meeting, vicPeer.Id) is not null, "the host told of Ada's and Vic's microphones");
        await adaChannel.WaitForEventAsync("peer_updated", e => IsAda(e) && e.GetProperty("peer").GetProperty("audio_enabled").GetBoolean());
        var router = Media.Router(_meeting);
        Assert.Single(router.ProducersOf(adaPeer));
        Assert.Single(router.ProducersOf(vicPeer));

        // The app sends both off the stage: their producers close (the host told), their streams end, nothing of them flows.
        await room.Stage.KickAsync(null, p => p == adaPeer || p == vicPeer);
        Assert.Empty(router.ProducersOf(adaPeer));
        Assert.Empty(router.ProducersOf(vicPeer));
        // Read afresh at each look: Received is a copy of what had arrived when read, and these are pushed after the kick returns.
        var closed = await Eventually.MatchAsync(() => hostClient.Socket.Received.Where(m => m.Event == Events.Media.PeerProducerCloseBroadcast)
            .Select(m => PeerProducerCloseBroadcastResponse.Parser.ParseFrom(m.Payload).ProducerState.ProducerId).ToList(), c => c.Count == 2, "the host told of both producers closing", null,
            c => $"{c.Count} closed of {string.Join(", ", hostClient.ProducersAnnounced(ProducerKind.Audio).Select(p => p.ProducerId))}: {string.Join(", ", c)}");
        Assert.Equal(hostClient.ProducersAnnounced(ProducerKind.Audio).Select(p => p.ProducerId).Order(), closed.Order());
        Assert.Null(Media.Publication(_meeting, adaPeerId));
        Assert.Null(Media.Publication(_meeting, vicPeer.Id));
        await Eventually.TrueAsync(() => Media.Stream(_meeting, adaPeerId) is null && Media.Stream(_meeting, vicPeer.Id) is null, "Ada's and Vic's streams to end");
        await adaChannel.WaitForEventAsync("peer_updated", e => IsAda(e) && !e.GetProperty("peer").GetProperty("audio_enabled").GetBoolean());

        // Off the stage again, they are refused again; what the host watches goes on (it stayed on the stage).
        await AssertNotOnStageAsync(ada, adaPeerId);
        Assert.Contains("you are not on the stage", RealtimeKitMediaClient.ErrorOf(await vicClient.ProduceAsync("audio")));
        Assert.Equal(StageStatus.OnStage, Media.PeerOf(_meeting, host).Stage);

        bool IsAda(JsonElement e) => e.GetProperty("peer").GetProperty("id").GetString() == adaPeerId;
    }

    private async Task StartAsync(TimeProvider? clock = null, string[]? settings = null)
    {
        _server = await MeetingMediaServer.StartAsync(clock, settings ?? []);
        _meeting = await Media.Api.CreateMeetingAsync();
    }

    private Task<CreatedParticipant> AddAsync(string name, string preset = "group_call_host") => Media.Api.AddParticipantAsync(_meeting, name, preset);

    private async Task AssertNotOnStageAsync(CreatedParticipant participant, string peerId)
    {
        using var offer = new HttpRequestMessage(HttpMethod.Post, $"{Media.Server.HttpBase}/realtime/v1/peers/{peerId}/whip?source=camera")
        {
            Content = new StringContent(MeetingMediaHttpTests.PublishOffer, System.Text.Encoding.UTF8, "application/sdp"),
        };
        offer.Headers.Authorization = new("Bearer", participant.Token);
        using var response = await Media.Server.Http.SendAsync(offer);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"expected 403, got {response.StatusCode}: {body}");
        Assert.Contains("you are not on the stage", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString());
    }
    private static void SendPictures(RtpSender video, params bool[] keyframes)
    {
        foreach (bool keyframe in keyframes)
        {
            video.Send(keyframe);
        }
    }

    private static void SendAudio(RtpSender audio, int packets)
    {
        for (int i = 0; i < packets; i++)
        {
            audio.Send();
        }
    }

    /// <summary>The client's network loses the video packets arriving <paramref name="arrivals"/> (0: the next one): their sequence numbers, as they are lost.</summary>
    private static IReadOnlyList<ushort> Losing(WebRtcClient client, params int[] arrivals)
    {
        var lost = new List<ushort>();
        int arrived = 0;
        client.Lose = (payloadType, sequence) => payloadType == WhipClient.VideoPayloadType && arrivals.Contains(arrived++) && Add(sequence);
        return lost;

        bool Add(ushort sequence)
        {
            lock (lost)
            {
                lost.Add(sequence);
            }

            return true;
        }
    }

    /// <summary>A receiver's feedback on <paramref name="ssrc"/>: a PLI when asked, and a NACK of <paramref name="nacked"/>.</summary>
    private static byte[] Feedback(uint ssrc, bool pli, params ushort[] nacked)
    {
        const uint receiver = 0x33333333;
        var rtcp = new byte[256];
        int length = RtcpWriter.EmptyReceiverReport(rtcp, receiver);
        length += pli ? RtcpWriter.Pli(rtcp.AsSpan(length), receiver, ssrc) : 0;
        length += RtcpWriter.Nack(rtcp.AsSpan(length), receiver, ssrc, nacked);
        return rtcp[..length];
    }

    /// <summary>One feedback tick: the clock moves on (the publisher's timer runs within it) and the publisher has the tick's RTCP.</summary>
    private static async Task TickAsync(FakeTimeProvider clock, WebRtcClient publisher)
    {
        long compounds = publisher.RtcpPackets;
        clock.Advance(FeedbackTick);
        await Eventually.TrueAsync(() => publisher.RtcpPackets == compounds + 1, "the feedback tick's RTCP at the publisher");
    }

    private static bool IsToggle(Stagecast.RealtimeKit.Protocol.SocketMessage message, string producerId, bool pause) =>
        PeerProducerToggleBroadcastResponse.Parser.ParseFrom(message.Payload).ProducerState is var state && state.ProducerId == producerId && state.Pause == pause;

    private static string SpeakerOf(Stagecast.RealtimeKit.Protocol.SocketMessage message) =>
        SelectedPeersDiffResponse.Parser.ParseFrom(message.Payload).Entries.Single(e => e.Priority == 1).PeerId;
}
