using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Database;
using Stagecast.Server.Tests.Rooms;
using Stagecast.Streaming;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>
/// The meeting's router alone, on a room of fake peers (<see cref="TestRoom"/>), with no server and no socket: it makes
/// the producers and tells every peer of each change, holds every subscriber to one consumer rule, and owns the peers'
/// transports, closing them when their peer leaves. The media itself is <see cref="MeetingRouterMediaTests"/>'.
/// </summary>
[Trait("Category", "InProcess")]
public sealed class MeetingRouterCoreTests : IDisposable
{
    private static readonly RtpCodec Opus = new(111, "opus", 48000, 2);
    private static readonly RtpCodec Vp8 = new(96, "VP8", 90000, 1);

    private readonly TestRoom _room = new() { SessionId = null }; // no session: nothing is written to a store
    private readonly string _directory = Directory.CreateTempSubdirectory("stagecast-router-").FullName;
    private readonly WebRtcTransport _transport;
    private readonly MeetingRouter _router;
    private int _sourcesChanged;

    public MeetingRouterCoreTests()
    {
        var options = new MeetingMediaOptions();
        _transport = new WebRtcTransport(Options.Create(new WebRtcOptions()), _room.Clock, NullLogger<WebRtcTransport>.Instance);
        var tracks = new MeetingMediaHub(Options.Create(options), _room.Clock, NullLogger<StreamHub>.Instance);
        var stats = new MeetingMediaStats(new SqlMediaTrackStore(new SqliteDatabase(Path.Combine(_directory, "stagecast.db"))), _room.Clock,
            NullLogger<MeetingMediaStats>.Instance);
        _router = new MeetingRouter(_room, options, new MeetingTransports(_transport, tracks, Options.Create(options), NullLoggerFactory.Instance), tracks.Hub,
            stats, _room.Clock);
        _router.SourcesChanged += _ => Interlocked.Increment(ref _sourcesChanged);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TheRouterMakesAPeersProducersAndEveryPeerIsToldOfEachChangeInOrder()
    {
        var (ada, adaHears) = _room.Add("Ada");
        var (bob, bobHears) = _room.Add("Bob");

        var microphone = Produce(ada, video: false);
        var camera = Produce(ada, video: true, paused: true);
        Assert.Equal([microphone, camera], _router.ProducersOf(ada));
        Assert.Same(camera, _router.FindProducer(camera.Id));
        Assert.Empty(_router.ProducersOf(bob));

        _router.SetPaused(camera, false, by: bob);
        _router.CloseProducer(microphone);
        _router.CloseProducer(microphone); // closed already: nobody is told twice

        string[] told = ["Created audio", "Created video", "Toggled video by Bob", "Closed audio"];
        Assert.Equal(told, Changes(bobHears));
        Assert.Equal(told, Changes(adaHears)); // its own client hears of them too (RealtimeKit's remap)
        Assert.Equal([camera], _router.ProducersOf(ada));
        Assert.Null(_router.FindProducer(microphone.Id));
    }

    [Fact]
    public async Task AHostsMuteIsTheHostsDoingAndGoesThroughTheRoom()
    {
        var (ada, _) = _room.Add("Ada");
        var (host, hostHears) = _room.Add("Host");
        Produce(ada, video: false);
        var screen = Produce(ada, video: false, source: MediaSource.Screenshare);

        await _router.HostMuteAsync(ada, audio: true, video: false, host);

        var toggled = Assert.Single(hostHears.Heard<ProducerChanged>(), c => c.Change == ProducerChange.Toggled);
        Assert.Equal((MediaSource.Camera, true, host), (toggled.Producer.Source, toggled.Producer.Paused, toggled.By));
        Assert.False(screen.Paused); // a screen share's audio is not the microphone
        Assert.Equal(["muted Ada False -"], _room.Media);
    }

    [Fact]
    public void APeerOffTheStageIsRefusedAndAProducerMadeAsItLeftTheStageClosesAtOnce()
    {
        var (viewer, _) = _room.Add("Viewer", "webinar_viewer");
        var (_, hostHears) = _room.Add("Host", "webinar_host");
        var refused = Assert.Throws<DomainException>(() => _router.AdmitPublisher(viewer));
        Assert.Equal(DomainError.Forbidden, refused.Error);

        Produce(viewer, video: true); // admitted on the stage, sent off it before its producer was made
        Assert.Equal(["Created video", "Closed video"], Changes(hostHears));
        Assert.Empty(_router.ProducersOf(viewer));
    }

    [Fact]
    public void EverySubscriberIsHeldToOneConsumerRuleTakenInOneStep()
    {
        var (ada, _) = _room.Add("Ada");
        var (carol, _) = _room.Add("Carol");
        var (hidden, _) = _room.Add("Hidden", permissions: TestRoom.PresetOf("group_call_host") with { HiddenParticipant = true });
        var (bob, _) = _room.Add("Bob", permissions: TestRoom.PresetOf("group_call_participant") with { MaxVideoStreams = 1 });
        var (gone, _) = _room.Add("Gone");
        _room.Remove(gone);

        Assert.Equal(ConsumeRefusal.NotFound, Refusal(bob, hidden, video: true)); // a hidden peer's media is its own
        Assert.Equal(ConsumeRefusal.NotFound, Refusal(bob, gone, video: true));
        Assert.Equal(ConsumeRefusal.OwnAudio, Refusal(ada, ada, video: false));
        Assert.NotNull(Consume(hidden, hidden, video: true)); // its own video it may see

        var adaVideo = Consume(bob, ada, video: true);
        Assert.NotNull(Consume(bob, ada, video: true, MediaSource.Screenshare)); // the same peer: one of its max_video_streams
        Assert.NotNull(Consume(bob, carol, video: false)); // audio is not counted
        Assert.Equal(ConsumeRefusal.TooManyVideoStreams, Refusal(bob, carol, video: true));
        Assert.Equal(4, _router.Consumers.Count);

        adaVideo!.Release(); // Ada's screen share still counts
        Assert.Equal(ConsumeRefusal.TooManyVideoStreams, Refusal(bob, carol, video: true));
        _router.Consumers.Single(c => c.Subscriber == bob && c.Source == MediaSource.Screenshare).Release();
        Assert.NotNull(Consume(bob, carol, video: true));
        Assert.Equal(3, _router.Consumers.Count);
    }

    [Fact]
    public void APeersTransportsAreTheRoutersAndCloseWhenItLeavesItsProducersGoingUntold()
    {
        var (ada, _) = _room.Add("Ada");
        var (_, bobHears) = _room.Add("Bob");
        using var send = Idle();
        using var receive = Idle();
        _router.AddTransport(ada, send, producing: true);
        _router.AddTransport(ada, receive, producing: false);
        _router.AddTransport(ada, receive, producing: false); // once
        Produce(ada, video: false);
        Assert.Equal([(send.Id, true), (receive.Id, false)], _router.Transports.Select(t => (t.Session.Id, t.Producing)));

        receive.Close("the client rebuilt it");
        Assert.Equal([send.Id], _router.Transports.Select(t => t.Session.Id));

        int before = _sourcesChanged;
        _room.Remove(ada); // as the room removes a peer before telling its router
        _router.PeerLeft(ada);
        Assert.True(send.IsClosed);
        Assert.Empty(_router.Transports);
        Assert.Empty(_router.ProducersOf(ada));
        Assert.Equal(["Created audio"], Changes(bobHears)); // its producers go with it: the room tells of the peer leaving
        Assert.True(_sourcesChanged > before, "the program and the recorders are told the sources changed");

        using var late = Idle(); // a transport of a peer that has left closes at once
        _router.AddTransport(ada, late, producing: false);
        Assert.True(late.IsClosed);
    }

    [Fact]
    public void AClientComingBackGoesOnWithItsPeersLastingTransportsUntilItMakesNewOnes()
    {
        var (ada, _) = _room.Add("Ada");
        var (_, bobHears) = _room.Add("Bob");
        using var send = Idle();
        using var watching = Idle();
        _router.AddTransport(ada, send, producing: true, lasting: true); // a RealtimeKit client's send transport
        _router.AddTransport(ada, watching, producing: false); // a WHEP subscription: one offer, its own
        var microphone = Produce(ada, video: false, transport: send.Id);
        Assert.Same(send, _router.LastingTransportsOf(ada).Send); // what a client coming back goes on with
        Assert.Null(_router.LastingTransportsOf(ada).Receive);

        // A client of Ada's came back with transports of its own: the old one ends, what was produced on it closes.
        using var again = Idle();
        _router.AddTransport(ada, again, producing: true, lasting: true);
        _router.ReplaceLastingTransports(ada, [again], "replaced by the client's new transports");
        Assert.True(send.IsClosed);
        Assert.False(watching.IsClosed);
        Assert.Equal(["Created audio", "Closed audio"], Changes(bobHears));
        Assert.Null(_router.FindProducer(microphone.Id));
        Assert.Same(again, _router.LastingTransportsOf(ada).Send);
    }

    private MeetingProducer Produce(RoomPeer peer, bool video, bool paused = false, MediaSource? source = null, string transport = "transport-1")
    {
        var stream = new MeetingStreamKey(_room.MeetingId, peer.Id, source ?? MediaSource.Camera);
        return _router.Produce(peer, stream, video, video ? "0" : "1", video ? Vp8 : Opus, transport, null, paused);
    }

    private MeetingConsumer? Consume(RoomPeer subscriber, RoomPeer publisher, bool video, MediaSource? source = null) =>
        _router.TryConsume(subscriber, publisher, source ?? MediaSource.Camera, video, !video, out _);

    private ConsumeRefusal? Refusal(RoomPeer subscriber, RoomPeer publisher, bool video)
    {
        var consumer = _router.TryConsume(subscriber, publisher, MediaSource.Camera, video, !video, out var refusal);
        consumer?.Release();
        return consumer is null ? refusal : null;
    }

    private static List<string> Changes(TestRoom.Listener client) =>
        [.. client.Heard<ProducerChanged>().Select(c => $"{c.Change} {(c.Producer.Video ? "video" : "audio")}{(c.By is { } by ? $" by {by.Name}" : "")}")];

    /// <summary>A connection that carries nothing (a client's transport as the router holds it), made from a client's offer.</summary>
    private SfuIdleSession Idle() => new(_transport, SdpSessionDescription.Parse(
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n" +
        "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n" +
        "a=fingerprint:sha-256 " + string.Join(':', Enumerable.Repeat("AB", 32)) + "\r\na=setup:actpass\r\na=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n" +
        "a=rtpmap:111 opus/48000/2\r\n"), "127.0.0.1");
}
