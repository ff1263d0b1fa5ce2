using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Congestion;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// RealtimeKit's socket media (the study's section 3.4) in process, without the SDK or a browser: a
/// <see cref="RealtimeKitMediaClient"/> makes its two transports, produces, pauses and closes tracks (a screen share
/// beside its camera on one send transport), consumes, answers the server's offers and closes consumers as the SDK
/// does, and the server's side of it is checked: the answers and offers, the router's producers and consumers, what
/// the other clients (RealtimeKit's broadcasts, the JSON channel, a WHEP subscriber) are told and receive, and the
/// refusals. What the SDK classes in Chromium (<c>RealtimeKitMediaTests</c>, <c>RealtimeKitConsumeTests</c>,
/// <c>RealtimeKitScreenShareTests</c>) check of the server is checked here too.
/// </summary>
[Trait(ContractSuite.Trait, ContractSuite.Name)] // its call stats are written to and read from session_media_tracks
public sealed class RealtimeKitSocketMediaTests : IAsyncLifetime
{
    private MeetingMediaServer _media = null!;
    private string _meeting = null!;

    public async Task InitializeAsync()
    {
        _media = await MeetingMediaServer.StartAsync(null, "--webrtc-congestion-control"); // the congestion control's numbering beside everything else
        _meeting = await _media.Api.CreateMeetingAsync();
    }

    public async Task DisposeAsync() => await _media.DisposeAsync();

    [Fact]
    public async Task CreateWebRtcTransportAnswersEachWayAndANewTransportReplacesTheOld()
    {
        var ada = await JoinAsync("ada");
        await ada.CreateSendTransportAsync();
        await ada.CreateReceiveTransportAsync();

        // Each first offer is answered ICE-lite and DTLS passive, the send transport's m-lines receiving, and both connect.
        Assert.Equal([("0", "recvonly"), ("1", "recvonly")], SdpText.Sections(ada.SendAnswer!).Select(m => (m.Mid, m.Direction)));
        Assert.Contains("a=ice-lite\r\n", ada.SendAnswer);
        Assert.Contains("a=setup:passive\r\n", ada.SendAnswer);
        Assert.Contains("a=setup:passive\r\n", ada.ReceiveAnswer);
        Assert.Equal(["0", "1"], SdpText.Sections(ada.ReceiveAnswer!).Select(m => m.Mid));
        var transport = _media.Service<WebRtcTransport>();
        var publisher = transport.Sessions.OfType<SfuPublisher>().Single();
        var receiver = transport.Sessions.OfType<SfuReceiveSession>().Single();
        Assert.Equal((ada.SendTransportId, ada.ReceiveTransportId), (publisher.Id, receiver.Id));
        await Eventually.TrueAsync(() => publisher.IsConnected && receiver.IsConnected, "both transports connected");

        // The client rebuilds its receive transport (as after a failed connection): the old one ends.
        var old = ada.Receiving!;
        await ada.CreateReceiveTransportAsync();
        await old.DisposeAsync();
        Assert.True(receiver.IsClosed);
        Assert.Equal("replaced by a new receive transport", receiver.CloseReason);
        Assert.Equal(ada.ReceiveTransportId, transport.Sessions.OfType<SfuReceiveSession>().Single().Id);

        // What is not an offer is refused, naming the problem.
        var refused = await ada.Socket.RequestAsync(Events.Media.CreateWebRtcTransport, new CreateTransportRequest
        {
            Consuming = true,
            Description = new SessionDescription { Target = Target.Subscriber, Type = "answer", Sdp = ada.ReceiveAnswer },
        });
        Assert.Contains("must be the client's SDP offer", RealtimeKitMediaClient.ErrorOf(refused));
    }

    [Fact]
    public async Task ProducedTracksAreTheRoutersProducersTheOthersAreToldOfAndAScreenShareIsAStreamOfItsOwn()
    {
        var bob = await JoinAsync("bob");
        var ada = await JoinAsync("ada");
        await ada.CreateSendTransportAsync(screen: true);

        // Microphone, camera and screen: each produce is answered with the m-line receiving, and Bob is told of each.
        var produced = new List<string>();
        foreach (var (kind, screen, mid) in new[] { ("audio", false, "1"), ("video", false, "0"), ("video", true, RealtimeKitSendTransport.ScreenMid) })
        {
            var reply = ProducerCreateResponse.Parser.ParseFrom(RealtimeKitMediaClient.Ok(await ada.ProduceAsync(kind, screen)).Payload);
            Assert.True(reply.Status);
            Assert.Equal("recvonly", SdpText.Of(reply.Description.Sdp, mid).Direction);
            var told = PeerProducerCreateBroadcastResponse.Parser.ParseFrom((await bob.Socket.WaitForAsync(m =>
                m.Event == Events.Media.PeerProducerCreateBroadcast && PeerProducerCreateBroadcastResponse.Parser.ParseFrom(m.Payload).ProducerState.ProducerId == reply.ProducerId)).Payload);
            Assert.Equal((kind == "video" ? ProducerKind.Video : ProducerKind.Audio, screen, ada.SendTransportId, $"{(kind == "video" ? "video" : "audio")}/{(kind == "video" ? "H264" : "opus")}"),
                (told.ProducerState.Kind, told.ProducerState.ScreenShare, told.ProducerState.ProducingTransportId, told.ProducerState.MimeType));
            Assert.Equal(Peer("ada").Id, told.ParticipantId);
            produced.Add(reply.ProducerId);
        }

        var adaPeer = Peer("ada");
        var producers = _media.Router(_meeting).ProducersOf(adaPeer);
        Assert.Equal(produced, producers.Select(p => p.Id));
        Assert.Equal([MediaSource.Camera, MediaSource.Camera, MediaSource.Screenshare], producers.Select(p => p.Source));

        // The camera's and the screen's video share a payload type; the server tells them apart by the SSRCs the offer
        // announced, and each goes to its own stream.
        var senders = new[] { RealtimeKitMediaClient.AudioMid, RealtimeKitMediaClient.VideoMid, RealtimeKitSendTransport.ScreenMid }.Select(mid => ada.Sending!.Sender(mid)).ToList();
        var publisher = _media.Service<WebRtcTransport>().Sessions.OfType<SfuPublisher>().Single();
        await MeetingMediaServer.WhileSendingAsync(() => senders.ForEach(s => s.Send()), () => publisher.Publications.Count == 2
            && publisher.Publications.All(p => p.Video?.Packets > 10), "packets on the camera's and the screen's video");
        var (camera, shared) = (publisher.Publications[0], publisher.Publications[1]);
        Assert.Equal((new MeetingStreamKey(_meeting, adaPeer.Id, MediaSource.Camera).HubId, new MeetingStreamKey(_meeting, adaPeer.Id, MediaSource.Screenshare).HubId),
            (camera.StreamId, shared.StreamId));
        Assert.Equal((ada.Sending!.SsrcOf(RealtimeKitMediaClient.VideoMid), ada.Sending.SsrcOf(RealtimeKitSendTransport.ScreenMid), ada.Sending.SsrcOf(RealtimeKitMediaClient.AudioMid)),
            (camera.Video!.Ssrc, shared.Video!.Ssrc, camera.Audio!.Ssrc));
        Assert.Null(shared.Audio);
        var hub = _media.Service<MeetingMediaHub>().Hub;
        Assert.All(new[] { camera, shared }, p => Assert.NotNull(hub.Find(p.StreamId)?.RtpVideo));
    }

    [Fact]
    public async Task APausedTrackIsToldToEveryFrontEndAndForwardedToNoneUntilItResumes()
    {
        var bob = await JoinAsync("bob");
        var cy = await _media.Api.AddParticipantAsync(_meeting, "cy");
        var (cyChannel, _) = await _media.JoinChannelAsync(cy);
        var ada = await JoinAsync("ada");
        var (microphone, camera, audio, video) = await ProduceCameraAsync(ada);
        string adaPeer = Peer("ada").Id;

        // Cy watches Ada's camera stream over WHEP.
        var atCy = new ReceivedRtp(await _media.WatchAsync(cy, adaPeer));
        await MeetingMediaServer.WhileSendingAsync(() => Send(audio, video), () => atCy.Video.Count > 0 && atCy.Audio.Count > 0, "Ada's camera and microphone at Cy");

        // Ada pauses her camera: Bob hears of it as RealtimeKit's toggle, Cy as the channel's peer_updated, and what
        // she sends meanwhile reaches the server but not Cy (the audio after it does).
        await ada.ToggleProducerAsync(camera, pause: true);
        await bob.Socket.WaitForAsync(m => IsToggle(m, camera, pause: true));
        await cyChannel.WaitForEventAsync("peer_updated", e => e.GetProperty("peer").GetProperty("id").GetString() == adaPeer
            && !e.GetProperty("peer").GetProperty("video_enabled").GetBoolean() && e.GetProperty("peer").GetProperty("audio_enabled").GetBoolean());
        var publication = _media.Publication(_meeting, adaPeer)!;
        Assert.NotNull(publication.Video);
        await Eventually.TrueAsync(() => publication.Video!.Muted, "Ada's camera track muted at the server"); // told and muted in either order
        var (paused, heard, arrived) = (video.Timestamp, atCy.Audio.Count, publication.Video.Packets);
        for (int i = 0; i < 5; i++)
        {
            video.Send();
            audio.Send();
        }

        await Eventually.TrueAsync(() => publication.Video.Packets == arrived + 5 && atCy.Audio.Count >= heard + 5, "the paused pictures at the server, the audio at Cy");
        Assert.DoesNotContain(atCy.Video, p => p.Timestamp > paused);
        int pictures = atCy.Video.Count;

        // She resumes it: both are told, and Cy's pictures come again.
        await ada.ToggleProducerAsync(camera, pause: false);
        await bob.Socket.WaitForAsync(m => IsToggle(m, camera, pause: false));
        await cyChannel.WaitForEventAsync("peer_updated", e => e.GetProperty("peer").GetProperty("id").GetString() == adaPeer && e.GetProperty("peer").GetProperty("video_enabled").GetBoolean());
        await MeetingMediaServer.WhileSendingAsync(video.Send, () => atCy.Video.Count > pictures, "Ada's pictures at Cy again");
        Assert.DoesNotContain(bob.Socket.Received, m => IsToggle(m, microphone, pause: true));
    }

    [Fact]
    public async Task CloseProducerIsAnsweredTheOthersAreToldAndTheLastScreenTrackEndsTheScreenShare()
    {
        var bob = await JoinAsync("bob");
        var ada = await JoinAsync("ada");
        await ada.CreateSendTransportAsync(screen: true);
        RealtimeKitMediaClient.Ok(await ada.ProduceAsync("audio"));
        string camera = ProducedId(await ada.ProduceAsync("video"));
        string screen = ProducedId(await ada.ProduceAsync("video", screenShare: true));
        var senders = new[] { RealtimeKitMediaClient.AudioMid, RealtimeKitMediaClient.VideoMid, RealtimeKitSendTransport.ScreenMid }.Select(mid => ada.Sending!.Sender(mid)).ToList();
        var publisher = _media.Service<WebRtcTransport>().Sessions.OfType<SfuPublisher>().Single();
        await MeetingMediaServer.WhileSendingAsync(() => senders.ForEach(s => s.Send()), () => publisher.Publications.Count == 2 && publisher.Publications.All(p => p.Video?.Packets > 0),
            "Ada's camera and screen flowing");
        var (cameraPublication, screenStream) = (publisher.Publications[0], publisher.Publications[1].StreamId);
        var adaPeer = Peer("ada");

        // She stops sharing: the answer to her offer has the screen's m-line inactive, Bob is told, the screen's stream
        // ends, and her camera goes on.
        var closed = ProducerClosingResponse.Parser.ParseFrom(RealtimeKitMediaClient.Ok(await ada.CloseProducerAsync(screen, RealtimeKitSendTransport.ScreenMid)).Payload);
        Assert.Equal([("0", "recvonly"), ("1", "recvonly"), ("2", "inactive")], SdpText.Sections(closed.Description.Sdp).Select(m => (m.Mid, m.Direction)));
        await bob.Socket.WaitForAsync(m => m.Event == Events.Media.PeerProducerCloseBroadcast
            && PeerProducerCloseBroadcastResponse.Parser.ParseFrom(m.Payload).ProducerState.ProducerId == screen);
        Assert.Null(_media.Service<MeetingMediaHub>().Hub.Find(screenStream));
        Assert.Equal([cameraPublication], publisher.Publications);
        Assert.Equal(2, _media.Router(_meeting).ProducersOf(adaPeer).Count);

        // She turns her camera off (the SDK closes its producer): the camera's stream goes on with her microphone alone.
        closed = ProducerClosingResponse.Parser.ParseFrom(RealtimeKitMediaClient.Ok(await ada.CloseProducerAsync(camera, RealtimeKitMediaClient.VideoMid)).Payload);
        Assert.Equal("inactive", SdpText.Of(closed.Description.Sdp, "0").Direction);
        await bob.Socket.WaitForAsync(m => m.Event == Events.Media.PeerProducerCloseBroadcast
            && PeerProducerCloseBroadcastResponse.Parser.ParseFrom(m.Payload).ProducerState.ProducerId == camera);
        Assert.Null(cameraPublication.Video);
        long heard = cameraPublication.Audio!.Packets;
        await MeetingMediaServer.WhileSendingAsync(senders[0].Send, () => cameraPublication.Audio.Packets > heard + 5, "Ada's microphone after her camera closed");

        // And on again: a new producer on the same m-line, which Bob is told of.
        string again = ProducedId(await ada.ProduceAsync("video"));
        await bob.Socket.WaitForAsync(m => m.Event == Events.Media.PeerProducerCreateBroadcast
            && PeerProducerCreateBroadcastResponse.Parser.ParseFrom(m.Payload).ProducerState.ProducerId == again);
        Assert.NotEqual(camera, again);
    }

    [Fact]
    public async Task ConsumeOffersAnMLinePerProducerAndItsMediaFlowsOnceTheOfferIsAnswered()
    {
        var (microphone, camera, audio, video) = await ProduceCameraAsync(await JoinAsync("ada"));
        string adaPeer = Peer("ada").Id;
        var bob = await JoinAsync("bob");
        await bob.CreateReceiveTransportAsync();

        // Bob consumes both: each consumer (named by its producer's id) is on an m-line of its own in the server's offer,
        // sending on an SSRC of its own under the msid "{peer} {producer}".
        var consumers = await bob.OfferConsumersAsync(microphone, camera);
        Assert.Equal(new[] { microphone, camera }.Order(), consumers.Keys.Order());
        foreach (var (producer, consumer) in consumers)
        {
            Assert.Equal(("", producer, producer), (consumer.ErrorCode, consumer.ConsumerId, consumer.ProducerTrack.ProducerId));
            var section = SdpText.Of(bob.ReceiveOffer!, consumer.ProducerTrack.StreamId);
            Assert.Equal(("sendonly", producer == camera ? "video" : "audio"), (section.Direction, section.Kind));
            Assert.Contains($"a=ssrc:{section.Ssrcs.Single()} msid:{adaPeer} {producer}\r\n", bob.ReceiveOffer);
        }

        // Until Bob answers, nothing is sent to him; then both tracks flow on the SSRCs offered, the video from a keyframe.
        var received = new ReceivedRtp(bob.Receiving!);
        var publication = _media.Publication(_meeting, adaPeer)!;
        long arrived = publication.Video!.Packets;
        await MeetingMediaServer.WhileSendingAsync(() => Send(audio, video), () => publication.Video.Packets > arrived + 10, "Ada's media at the server");
        var receive = _media.Service<WebRtcTransport>().Sessions.OfType<SfuReceiveSession>().Single();
        Assert.All(receive.Consumers, c => Assert.Equal(0L, c.Forwarded));
        await bob.AnswerAsync();
        int sent = 0;
        await MeetingMediaServer.WhileSendingAsync(() =>
        {
            audio.Send();
            video.Send(keyframe: ++sent % 5 == 0);
        }, () => received.Video.Count > 5 && received.Audio.Count > 5, "Ada's media at Bob");
        Assert.Equal(new[] { camera, microphone }.Select(p => bob.ConsumerSsrc(consumers[p].ProducerTrack.StreamId)), [received.Video[0].Ssrc, received.Audio[0].Ssrc]);
        Assert.True(received.Video[0].Keyframe);
        Assert.Equal(2, _media.Router(_meeting).Consumers.Count(c => c.SubscriberPeerId == Peer("bob").Id));
    }

    [Fact]
    public async Task CloseConsumerClosesItsMLineInTheAnswerAndWhatTheServerSentOnItStops()
    {
        var (microphone, camera, audio, video) = await ProduceCameraAsync(await JoinAsync("ada"));
        var bob = await JoinAsync("bob");
        await bob.CreateReceiveTransportAsync();
        var received = new ReceivedRtp(bob.Receiving!);
        var consumers = await bob.ConsumeAsync(microphone, camera);
        var (audioMid, videoMid) = (consumers[microphone].ProducerTrack.StreamId, consumers[camera].ProducerTrack.StreamId);
        var (audioSsrc, videoSsrc) = (bob.ConsumerSsrc(audioMid), bob.ConsumerSsrc(videoMid));
        await MeetingMediaServer.WhileSendingAsync(() => Send(audio, video), () => received.On(videoSsrc).Count > 5 && received.On(audioSsrc).Count > 5, "Ada's media at Bob");

        // Bob stops his camera consumer's m-line: the answer has it closed and the microphone's as it was; the server
        // sends nothing more on it (the microphone's packets go on) and the router lets the consumer go.
        string answer = await bob.CloseConsumersAsync(videoMid);
        var (closed, kept) = (SdpText.Of(answer, videoMid), SdpText.Of(answer, audioMid));
        Assert.Equal((true, "inactive", 0), (closed.Closed, closed.Direction, closed.Ssrcs.Count));
        Assert.Equal(("sendonly", audioSsrc), (kept.Direction, kept.Ssrcs.Single()));
        var router = _media.Router(_meeting);
        Assert.Equal([MediaSource.Camera], router.Consumers.Where(c => !c.HasVideo).Select(c => c.Source));
        Assert.DoesNotContain(router.Consumers, c => c.HasVideo);
        var (stopped, heard) = (video.Timestamp, received.On(audioSsrc).Count);
        await MeetingMediaServer.WhileSendingAsync(() => Send(audio, video), () => received.On(audioSsrc).Count > heard + 10, "Ada's microphone at Bob");
        Assert.DoesNotContain(received.On(videoSsrc), p => p.Timestamp > stopped);

        // He consumes her camera again: a new m-line takes the closed one's place, and the pictures come on it.
        var again = await bob.ConsumeAsync(camera);
        string newMid = again[camera].ProducerTrack.StreamId;
        Assert.NotEqual(videoMid, newMid);
        Assert.Equal(SdpText.Sections(answer).Count, SdpText.Sections(bob.ReceiveOffer!).Count);
        await MeetingMediaServer.WhileSendingAsync(() => Send(audio, video), () => received.On(bob.ConsumerSsrc(newMid)).Count > 5, "Ada's pictures on the new m-line");
    }

    [Fact]
    public async Task AProduceThePresetDoesNotAllowIsRefusedAndNobodyIsToldOfIt()
    {
        await _media.Api.PostAsync("/presets", """{"name":"voice","permissions":{"can_produce_audio":true,"can_produce_video":false,"can_produce_screenshare":false}}""");
        var bob = await JoinAsync("bob");
        var ada = await JoinAsync("ada", "voice");
        await ada.CreateSendTransportAsync(screen: true);
        Assert.Contains("does not allow producing video", RealtimeKitMediaClient.ErrorOf(await ada.ProduceAsync("video")));
        Assert.Contains("does not allow producing a screen share", RealtimeKitMediaClient.ErrorOf(await ada.ProduceAsync("video", screenShare: true)));
        string microphone = ProducedId(await ada.ProduceAsync("audio"));
        await bob.Socket.WaitForAsync(m => m.Event == Events.Media.PeerProducerCreateBroadcast);
        Assert.Equal([microphone], bob.ProducersAnnounced(ProducerKind.Audio).Concat(bob.ProducersAnnounced(ProducerKind.Video)).Select(p => p.ProducerId));
        Assert.Equal([microphone], _media.Router(_meeting).ProducersOf(Peer("ada")).Select(p => p.Id));

        // A viewer's send transport connects, but off the stage it may produce nothing.
        var vic = await JoinAsync("vic", "livestream_viewer");
        await vic.CreateSendTransportAsync();
        Assert.Contains("not on the stage", RealtimeKitMediaClient.ErrorOf(await vic.ProduceAsync("audio")));
        Assert.Single(bob.Socket.Received, m => m.Event == Events.Media.PeerProducerCreateBroadcast);
    }

    [Fact]
    public async Task AConsumerOfAProducerThatIsGoneIsRefusedAndTheOthersInTheRequestGoAhead()
    {
        var ada = await JoinAsync("ada");
        var (microphone, camera, audio, _) = await ProduceCameraAsync(ada);
        var bob = await JoinAsync("bob");
        await bob.CreateReceiveTransportAsync();

        // Ada turns her camera off before Bob asks for it: his consumer of it is refused, that of her microphone made.
        RealtimeKitMediaClient.Ok(await ada.CloseProducerAsync(camera, RealtimeKitMediaClient.VideoMid));
        var consumers = await bob.ConsumeAsync(camera, microphone, "no-such-producer");
        Assert.Equal(("producer not found", "producer not found", ""), (consumers[camera].ErrorCode, consumers["no-such-producer"].ErrorCode, consumers[microphone].ErrorCode));
        Assert.Single(SdpText.Sections(bob.ReceiveOffer!), m => m.Ssrcs.Count > 0);
        await MeetingMediaServer.WhileSendingAsync(audio.Send, () => bob.Receiving!.AudioPackets > 5, "Ada's microphone at Bob");

        // She leaves: her microphone is gone too.
        await ada.LeaveAsync();
        Assert.Equal("producer not found", (await bob.ConsumeAsync(microphone))[microphone].ErrorCode);
    }

    [Fact]
    public async Task TheReceiveTransportNumbersItsPacketsTransportWideAndTheClientsFeedbackIsItsEstimate()
    {
        var (microphone, camera, audio, video) = await ProduceCameraAsync(await JoinAsync("ada"));
        var bob = await JoinAsync("bob");
        await bob.CreateReceiveTransportAsync();

        // The client offered the transport-wide sequence number (as browsers do): the server's offer puts it on every
        // consumer's m-line under the client's id, and asks for transport-wide feedback.
        await bob.OfferConsumersAsync(microphone, camera);
        foreach (string kind in new[] { "audio", "video" })
        {
            string section = SdpText.Split(bob.ReceiveOffer!).Single(s => s.StartsWith($"m={kind}", StringComparison.Ordinal) && s.Contains("a=ssrc:", StringComparison.Ordinal));
            Assert.Contains($"a=extmap:{WhipClient.TransportWideCcExtensionId} {ExtensionUris.TransportWideCc}\r\n", section);
            Assert.Contains(" transport-cc\r\n", section);
        }

        // Every packet of both tracks carries the next number of one sequence, whatever the publisher's packets carried.
        var arrivals = new ConcurrentDictionary<ushort, long>();
        bob.Receiving!.RtpReceived = packet =>
        {
            if (RtpExtensions.TryFind(packet, WhipClient.TransportWideCcExtensionId, out var number) && number.Length == 2)
            {
                arrivals[BinaryPrimitives.ReadUInt16BigEndian(number)] = (long)Stopwatch.GetElapsedTime(0).TotalMicroseconds;
            }
        };
        await bob.AnswerAsync();
        int sent = 0;
        await MeetingMediaServer.WhileSendingAsync(() =>
        {
            audio.Send();
            video.Send(keyframe: ++sent % 5 == 0);
        }, () => arrivals.Count > 40, "numbered packets at Bob");
        var numbers = arrivals.Keys.Order().ToList();
        Assert.Equal(numbers[^1] - numbers[0] + 1, numbers.Count); // no gap: one numbering across the tracks

        // Bob reports them arrived, as Chrome does: the receive transport has an estimate of his downlink.
        var receive = _media.Service<WebRtcTransport>().Sessions.OfType<SfuReceiveSession>().Single();
        Assert.Null(receive.Estimate);
        var feedback = new byte[TransportFeedbackRecorder.MaxFeedbackBytes];
        long[] times = [.. numbers.Select(n => arrivals[n])];
        int covered = TransportFeedback.Write(feedback, 1, 0, numbers[0], times, 0, out int length);
        Assert.Equal(numbers.Count, covered);
        bob.Receiving.SendRtcp(feedback.AsSpan(0, length));
        await Eventually.TrueAsync(() => receive.Estimate is { AckedBps: > 0, EstimateBps: >= DownlinkEstimator.MinimumBps }, "an estimate from Bob's feedback");

        // The metrics read it when scraped: one connection estimated, its estimate; the allocator's counters beside.
        string metrics = await _media.Server.MetricsAsync();
        Assert.Matches(@"\nstagecast_webrtc_estimated_connections 1\n", metrics);
        Assert.Matches(@"\nstagecast_webrtc_estimate_bps [1-9]\d*\n", metrics);
        Assert.Matches(@"\nstagecast_webrtc_constrained_connections 0\n", metrics); // nothing lost or delayed: no limit shown
        Assert.Matches(@"\nstagecast_webrtc_paused_video_consumers 0\n", metrics);
        Assert.Contains("\nstagecast_webrtc_layer_switches_total ", metrics);
        Assert.Contains("\nstagecast_webrtc_video_pauses_total ", metrics);

        // Bob's call stats say it per consumed track (live, and as written when he leaves): the connection's estimate,
        // the layer sent (none: Ada's camera has no simulcast layers), no pause, no layer switch.
        long estimate = receive.Estimate!.Value.EstimateBps;
        string report = $"/sessions/{_media.Room(_meeting).SessionId}/participants/{Peer("bob").Participant.Id}";
        async Task<List<JsonElement>> ConsumedAsync()
        {
            var quality = (await _media.Api.GetAsync(report)).EnsureOk().Data.GetProperty("peer_report").GetProperty("quality");
            return [.. quality.GetProperty("audio_consumer").EnumerateArray(), .. quality.GetProperty("video_consumer").EnumerateArray()];
        }

        Allocated(await ConsumedAsync());
        await bob.LeaveAsync();
        Allocated(await Eventually.MatchAsync(ConsumedAsync, c => c.Count == 2 && c.All(t => t.GetProperty("ended_at").ValueKind == JsonValueKind.String),
            "Bob's consumed tracks ended and written"));

        void Allocated(List<JsonElement> consumed)
        {
            Assert.Equal(2, consumed.Count);
            Assert.All(consumed, track =>
            {
                Assert.Equal(estimate / 1000.0, track.GetProperty("estimate").GetDouble(), 0.1);
                Assert.Equal((JsonValueKind.Null, 0, 0), (track.GetProperty("layer").ValueKind, track.GetProperty("pauses").GetInt64(), track.GetProperty("layer_switches").GetInt64()));
            });
        }
    }

    /// <summary>A participant named <paramref name="name"/> (its custom id too) with <paramref name="preset"/>, joined on RealtimeKit's socket.</summary>
    private async Task<RealtimeKitMediaClient> JoinAsync(string name, string preset = "group_call_host") =>
        await _media.JoinRealtimeKitAsync(await _media.Api.AddParticipantAsync(_meeting, name, preset));

    /// <summary>The room's peer of the participant named <paramref name="name"/>.</summary>
    private Features.Rooms.RoomPeer Peer(string name) => _media.Room(_meeting).Peers.Single(p => p.Participant.CustomParticipantId == name);

    /// <summary>
    /// The client's microphone and camera, produced on a new send transport and sent until its camera stream has both:
    /// their producer ids and senders.
    /// </summary>
    private async Task<(string Microphone, string Camera, RtpSender Audio, RtpSender Video)> ProduceCameraAsync(RealtimeKitMediaClient client)
    {
        await client.CreateSendTransportAsync();
        string microphone = ProducedId(await client.ProduceAsync("audio"));
        string camera = ProducedId(await client.ProduceAsync("video"));
        var (audio, video) = (client.Sending!.Sender(RealtimeKitMediaClient.AudioMid), client.Sending.Sender(RealtimeKitMediaClient.VideoMid));
        string peer = _media.Router(_meeting).FindProducer(camera)!.Peer.Id;
        await MeetingMediaServer.WhileSendingAsync(() => Send(audio, video), () => _media.Publication(_meeting, peer) is { Audio.Packets: > 0, Video.Packets: > 0 },
            "the camera stream's audio and video at the server");
        return (microphone, camera, audio, video);
    }

    private static void Send(params RtpSender[] senders) => Array.ForEach(senders, s => s.Send());

    private static string ProducedId(SocketMessage reply) => ProducerCreateResponse.Parser.ParseFrom(RealtimeKitMediaClient.Ok(reply).Payload).ProducerId;

    private static bool IsToggle(SocketMessage message, string producerId, bool pause) =>
        message.Event == Events.Media.PeerProducerToggleBroadcast
        && PeerProducerToggleBroadcastResponse.Parser.ParseFrom(message.Payload).ProducerState is var state && state.ProducerId == producerId && state.Pause == pause;
}
