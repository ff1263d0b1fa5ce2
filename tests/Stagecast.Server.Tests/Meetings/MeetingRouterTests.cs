using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Tests.RealtimeKit;
using Stagecast.Testing;
using Stagecast.Testing.RealtimeKit;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// A meeting's router (its SFU core) in process, without a browser: Stagecast's own WebRTC clients publish and watch
/// over meeting WHIP and WHEP, and over RealtimeKit's socket spoken directly (<see cref="RealtimeKitMediaClient"/>).
/// Both front ends translate into the one core: a consumer of either reaches a producer of either, a WHIP publisher's
/// tracks are producers RealtimeKit clients are told of (paused while muted, closed when it stops), every consumer is
/// in the session's media figures, and admission (publishers per meeting, a preset's <c>max_video_streams</c>) counts
/// both front ends by one rule.
/// </summary>
public sealed class MeetingRouterTests : IAsyncLifetime
{
    private readonly TlsFiles _tls = new(RealtimeKitBrowser.Domain);
    private readonly DtlsCertificate _certificate = DtlsCertificate.Create(TimeProvider.System);
    private ServerFixture _server = null!;
    private StagecastApiClient _api = null!;

    private int HttpsPort => new Uri(_server.HttpBase).Port;

    public async Task InitializeAsync()
    {
        _server = await ServerFixture.StartAsync([.. _tls.ServerFlags, "--realtimekit-base", RealtimeKitBrowser.Domain, "--set", "Stagecast:MeetingMedia:MaxPublishersPerMeeting=2"]);
        _api = await _server.NewTenantAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _tls.Dispose();
    }

    [Fact]
    public async Task EachFrontEndConsumesTheOthersProducersAndEveryConsumerIsInTheSessionsFigures()
    {
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada");
        var bob = await _api.AddParticipantAsync(meeting, "bob");

        // Ada on the JSON channel publishes her camera over meeting WHIP; Bob on RealtimeKit's socket is told of her
        // microphone's producer once it flows, and consumes it.
        var (channel, adaPeer, adaCamera, adaAudio, bobClient, adaMicrophone) = await WhipPublisherHeardOfAsync(ada, bob);
        await using var _c = channel;
        await using var _a = adaCamera;
        await using var _b = bobClient;
        await bobClient.CreateReceiveTransportAsync();
        var consumers = await bobClient.ConsumeAsync(adaMicrophone.ProducerId);
        Assert.Equal("", consumers[adaMicrophone.ProducerId].ErrorCode);
        await MeetingMediaServer.WhileSendingAsync(adaAudio.Send, () => bobClient.Receiving!.AudioPackets > 20, "Bob hearing Ada");

        // Bob produces his microphone on RealtimeKit; Ada watches his camera stream over meeting WHEP and hears him.
        await bobClient.CreateSendTransportAsync();
        RealtimeKitMediaClient.Ok(await bobClient.ProduceAsync("audio"));
        var bobAudio = RtpSender.Opus(bobClient.Sending!);
        var room = _server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!;
        string bobPeer = room.Peers.Single(p => p.Participant.Id == bob.Id).Id;
        await MeetingMediaServer.WhileSendingAsync(bobAudio.Send, () => _server.App.Services.GetRequiredService<MeetingMediaHub>().Hub.Find(new MeetingStreamKey(meeting, bobPeer, MediaSource.Camera).HubId) is not null,
            "Bob's camera stream in the hub");
        await using var adaWatching = await WhepClient.ConnectAsync(_server.Http, $"{_server.HttpBase}/realtime/v1/peers/{bobPeer}/whep?source=camera", _certificate, bearer: ada.Token);
        await MeetingMediaServer.WhileSendingAsync(bobAudio.Send, () => adaWatching.AudioPackets > 20, "Ada hearing Bob");

        // Both consumers are the router's, so both are in the session's media figures.
        var router = _server.App.Services.GetRequiredService<MeetingMediaService>().Find(room)!;
        Assert.Equal(2, router.Consumers.Count);
        var figures = await _server.App.Services.GetRequiredService<MeetingMediaStats>().ListAsync(room.SessionId!, [adaPeer, bobPeer], CancellationToken.None);
        var received = figures.Where(t => !t.Producer && !t.Video).ToList();
        Assert.Contains(received, t => t.PeerId == bobPeer && t.RemotePeerId == adaPeer && t.Packets > 0);
        Assert.Contains(received, t => t.PeerId == adaPeer && t.RemotePeerId == bobPeer && t.Packets > 0);
    }

    [Fact]
    public async Task AWhipPublishersTracksAreProducersPausedWhileMutedAndClosedWhenItStops()
    {
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada");
        var bob = await _api.AddParticipantAsync(meeting, "bob");
        var (channel, adaPeer, adaCamera, _, bobClient, microphone) = await WhipPublisherHeardOfAsync(ada, bob);
        await using var _c = channel;
        await using var _b = bobClient;
        Assert.False(microphone.Pause);

        await channel.OkAsync("media_state", new { audio_enabled = false });
        var toggled = await bobClient.Socket.WaitForAsync(m => m.Event == Events.Media.PeerProducerToggleBroadcast);
        Assert.Equal((microphone.ProducerId, true), (PeerProducerToggleBroadcastResponse.Parser.ParseFrom(toggled.Payload).ProducerState.ProducerId,
            PeerProducerToggleBroadcastResponse.Parser.ParseFrom(toggled.Payload).ProducerState.Pause));

        Assert.Equal(HttpStatusCode.OK, (await _server.Http.DeleteAsync(_server.HttpBase + adaCamera.Location)).StatusCode);
        var closed = await bobClient.Socket.WaitForAsync(m => m.Event == Events.Media.PeerProducerCloseBroadcast);
        Assert.Equal(microphone.ProducerId, PeerProducerCloseBroadcastResponse.Parser.ParseFrom(closed.Payload).ProducerState.ProducerId);
        await adaCamera.DisposeAsync();
        var router = _server.App.Services.GetRequiredService<MeetingMediaService>().Find(_server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!)!;
        Assert.Empty(router.ProducersOf(router.Room.Peers.Single(p => p.Id == adaPeer)));
    }

    [Fact]
    public async Task AdmissionCountsBothFrontEndsByOneRule()
    {
        await _api.PostAsync("/presets", """{"name":"narrow","config":{"max_video_streams":{"desktop":1,"mobile":1}}}""");
        string meeting = await _api.CreateMeetingAsync();
        var ada = await _api.AddParticipantAsync(meeting, "ada");
        var carl = await _api.AddParticipantAsync(meeting, "carl");
        var dora = await _api.AddParticipantAsync(meeting, "dora");
        var watcher = await _api.AddParticipantAsync(meeting, "watcher", "narrow");

        // The watcher is in the room first: it is told of each producer as it comes.
        await using var watcherClient = await RealtimeKitMediaClient.JoinAsync(HttpsPort, _tls.Certificate, watcher.Token);
        await watcherClient.CreateReceiveTransportAsync();

        // Two publishers, one on each front end, each sending video: the meeting's cap (2 here) is reached.
        var (channel, _, adaCamera) = await PublishOverWhipAsync(ada);
        await using var _c = channel;
        await using var _a = adaCamera;
        await using var carlClient = await RealtimeKitMediaClient.JoinAsync(HttpsPort, _tls.Certificate, carl.Token);
        await carlClient.CreateSendTransportAsync();
        RealtimeKitMediaClient.Ok(await carlClient.ProduceAsync("video"));
        await using var doraClient = await RealtimeKitMediaClient.JoinAsync(HttpsPort, _tls.Certificate, dora.Token);
        await doraClient.CreateSendTransportAsync();
        Assert.Contains("2 publishing peers", RealtimeKitMediaClient.ErrorOf(await doraClient.ProduceAsync("audio")));

        // The watcher's preset lets it receive one other peer's video: taken on RealtimeKit by Ada's camera, so Carl's
        // is refused there, and over WHEP too.
        var adaVideo = RtpSender.H264(adaCamera);
        var carlVideo = RtpSender.H264(carlClient.Sending!);
        await MeetingMediaServer.WhileSendingAsync(() =>
        {
            adaVideo.Send();
            carlVideo.Send();
        }, () => watcherClient.ProducersAnnounced(ProducerKind.Video).Count() == 2, "the watcher told of both cameras");
        var video = watcherClient.ProducersAnnounced(ProducerKind.Video).ToList();
        var (adaProducer, carlProducer) = (video.Single(p => p.ProducingTransportId != carlClient.SendTransportId), video.Single(p => p.ProducingTransportId == carlClient.SendTransportId));
        Assert.Equal("", (await watcherClient.ConsumeAsync(adaProducer.ProducerId))[adaProducer.ProducerId].ErrorCode);
        Assert.Contains("max_video_streams", (await watcherClient.ConsumeAsync(carlProducer.ProducerId))[carlProducer.ProducerId].ErrorCode);
        var room = _server.App.Services.GetRequiredService<MeetingRooms>().Find(meeting)!;
        string carlPeer = room.Peers.Single(p => p.Participant.Id == carl.Id).Id;
        using var offer = new HttpRequestMessage(HttpMethod.Post, $"{_server.HttpBase}/realtime/v1/peers/{carlPeer}/whep?source=camera")
        {
            Content = new StringContent(MeetingMediaHttpTests.WatchOffer, System.Text.Encoding.UTF8, "application/sdp"),
        };
        offer.Headers.Authorization = new("Bearer", watcher.Token);
        using var refused = await _server.Http.SendAsync(offer);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("max_video_streams", await refused.Content.ReadAsStringAsync());
    }

    /// <summary>A participant joined on the JSON channel, publishing its camera over meeting WHIP.</summary>
    private async Task<(RealtimeTestClient Channel, string Peer, WhipClient Camera)> PublishOverWhipAsync(CreatedParticipant participant)
    {
        var channel = await RealtimeTestClient.ConnectAsync(_server.HttpBase, participant.Token, _tls.Certificate);
        string peer = (await channel.OkAsync("join")).GetProperty("peer_id").GetString()!;
        return (channel, peer, await WhipClient.ConnectAsync(_server.Http, $"{_server.HttpBase}/realtime/v1/peers/{peer}/whip?source=camera", participant.Token, _certificate));
    }

    /// <summary>
    /// <paramref name="publisher"/> publishes over meeting WHIP, <paramref name="listener"/> joins on RealtimeKit's
    /// socket and is told of the publisher's microphone once its audio flows.
    /// </summary>
    private async Task<(RealtimeTestClient Channel, string PublisherPeer, WhipClient Camera, RtpSender Audio, RealtimeKitMediaClient Listener, ProducerState Microphone)>
        WhipPublisherHeardOfAsync(CreatedParticipant publisher, CreatedParticipant listener)
    {
        var (channel, peer, camera) = await PublishOverWhipAsync(publisher);
        var client = await RealtimeKitMediaClient.JoinAsync(HttpsPort, _tls.Certificate, listener.Token);
        var audio = RtpSender.Opus(camera);
        await MeetingMediaServer.WhileSendingAsync(audio.Send, () => client.ProducersAnnounced(ProducerKind.Audio).Any(), "the listener told of the publisher's microphone");
        return (channel, peer, camera, audio, client, client.ProducersAnnounced(ProducerKind.Audio).Single());
    }
}
