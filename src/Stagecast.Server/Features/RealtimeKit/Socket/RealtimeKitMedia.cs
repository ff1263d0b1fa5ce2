using System.Text.Json;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// One RealtimeKit client's media (the study's section 3.4), translated one to one into its meeting's router
/// (<see cref="MeetingRouter"/>). The client makes two WebRTC connections before it joins, offering first on each: its
/// send transport (<see cref="SfuPublisher"/>), and its receive transport, idle until the server sends it something;
/// both are made by <see cref="MeetingTransports"/> and become the router's at the join. It keeps nothing else: its
/// producers are the router's producers on its send transport, each on the m-line the client names: microphone and camera go to the
/// peer's camera stream, screen video and audio to its screen share stream, as meeting WHIP publishes of those sources
/// would (one publication each, made at the source's first producer). Pausing a camera track mutes it through the
/// room, so every front end sees it; the last screen share track closed ends the screen share. Requests come one at a
/// time from the client's socket loop.
/// </summary>
/// <param name="permissions">The client's permissions as of now (read again before each privileged request).</param>
public sealed partial class RealtimeKitMedia(RealtimeKitMediaServices services, Func<PresetPermissions> permissions, string clientAddress)
{
    private readonly Func<PresetPermissions> _permissions = permissions;
    private MeetingRouter? _router;
    private RoomPeer? _peer;
    private WebRtcSession? _send;
    private SfuReceiveSession? _receive;

    private PresetPermissions Permissions => _permissions();

    /// <summary>Whether the client made any transport (a client coming back without one goes on with these).</summary>
    public bool HasTransports => _send is not null || _receive is not null;

    /// <summary>
    /// A client of <paramref name="peer"/> that came back on a new socket without transports of its own goes on with
    /// those its peer had in the router (the SDK keeps transports that stayed connected, and produces again on them);
    /// null when it had none open.
    /// </summary>
    public static RealtimeKitMedia? Resume(RealtimeKitMediaServices services, Func<PresetPermissions> permissions, string clientAddress, MeetingRouter router, RoomPeer peer)
    {
        var (send, receive) = router.LastingTransportsOf(peer);
        return send is null && receive is null ? null : new RealtimeKitMedia(services, permissions, clientAddress) { _router = router, _peer = peer, _send = send, _receive = receive };
    }

    private PublishPolicyFor Policy => MeetingAdmission.Policy(Permissions);

    /// <summary>The producers on the client's send transport, as the router holds them.</summary>
    private List<MeetingProducer> Producers =>
        (_router, _peer, _send) is ({ } router, { } peer, { } send) ? [.. router.ProducersOf(peer).Where(p => p.TransportId == send.Id)] : [];

    /// <summary>
    /// The client's peer entered the room: its transports are the router's from now on (they close when the peer
    /// leaves), and those the peer had before end, what was produced on them with them (the room is told).
    /// </summary>
    public void Join(MeetingRouter router, RoomPeer peer)
    {
        (_router, _peer) = (router, peer);
        List<WebRtcSession> mine = [];
        foreach (var (session, producing) in new[] { (_send, true), (_receive, false) })
        {
            if (session is not null)
            {
                router.AddTransport(peer, session, producing, lasting: true);
                mine.Add(session);
            }
        }

        router.ReplaceLastingTransports(peer, mine, "replaced by the client's new transports");
    }

    /// <summary><c>media.createWebRTCTransport</c>: the client's first offer on one of its connections, answered (ICE-lite, DTLS passive).</summary>
    public CreateTransportResponse CreateTransport(CreateTransportRequest request)
    {
        var offer = Parse(request.Description);
        var negotiation = Negotiate(offer, []);
        var session = services.Transports.Open(request.Consuming, Policy.AllowsAny, offer, negotiation, clientAddress);
        if (!services.Transports.Transport.TryRegister(session))
        {
            session.Dispose();
            throw new DomainException(DomainError.TooMany, "too many WebRTC sessions (from this address or in total); try again later");
        }

        // A client rebuilds a transport that failed; what was on the old one ends with it, and the others are told its
        // producers closed (they consume the new ones as they come).
        if (request.Consuming)
        {
            _receive?.Close("replaced by a new receive transport");
            _receive = (SfuReceiveSession)session;
        }
        else
        {
            _send?.Close("replaced by a new send transport");
            ForgetProducers(announce: true);
            _send = session;
        }

        if ((_router, _peer) is ({ } router, { } peer))
        {
            router.AddTransport(peer, session, producing: !request.Consuming, lasting: true);
        }

        return new CreateTransportResponse { TransportId = session.Id, Description = Answer(session, negotiation, request.Description.Target) };
    }

    /// <summary>
    /// <c>media.produce</c>: the client added a track to the send transport and offers again. A source's first producer
    /// starts the peer's stream of that source; a new producer of a kind and source replaces the old.
    /// </summary>
    public async Task<ProducerCreateResponse> ProduceAsync(MeetingRoom room, RoomPeer peer, ProducerCreateRequest request)
    {
        if (_send is SfuIdleSession)
        {
            Policy.Check();
        }

        if (_send is not SfuPublisher { IsClosed: false } publisher)
        {
            throw new DomainException(DomainError.Conflict, "create the send transport first (media.createWebRTCTransport)");
        }

        bool video = request.Kind switch
        {
            "audio" => false,
            "video" => true,
            _ => throw new DomainException(DomainError.BadRequest, "kind must be audio or video"),
        };
        bool screen = request.ScreenShare;
        var source = screen ? MediaSource.Screenshare : MediaSource.Camera;
        MeetingAdmission.CheckProduce(Permissions, source, video);
        string mid = MidOf(request);
        var offer = Parse(request.Description);
        var router = services.Media.For(room);
        CloseProducersNotSending(offer, except: mid);
        var replaced = Producers.FirstOrDefault(p => p.Video == video && p.ScreenShare == screen);
        List<(bool ScreenShare, bool Video, string Mid)> tracks = [.. Producers.Where(p => p != replaced).Select(p => (p.ScreenShare, p.Video, p.Mid)), (screen, video, mid)];
        var negotiation = Negotiate(offer, tracks);
        router.AdmitPublisher(peer);
        var stream = new MeetingStreamKey(room.MeetingId, peer.Id, source);
        var publication = PublicationOf(screen);
        bool started = publication is null;
        if (publication is null)
        {
            publication = publisher.CreatePublication(stream.HubId, router);
            router.AddPublication(peer, source, publication, declaresProducers: true);
        }

        publisher.Renegotiate(negotiation, Mids(tracks));
        if (started)
        {
            publisher.Publish(publication);
        }

        if (replaced is not null)
        {
            Close(replaced);
        }

        await MuteAsync(room, peer, screen, video, request.Paused).ConfigureAwait(false);
        var producer = router.Produce(peer, stream, video, mid, (video ? publication.Video : publication.Audio)!.Codec, publisher.Id,
            request.HasAppData ? request.AppData : null, request.Paused);
        return new ProducerCreateResponse { Status = true, ProducerId = producer.Id, Description = Answer(publisher, negotiation, request.Description.Target) };
    }

    /// <summary><c>media.toggleProducer</c>: pausing mutes the track (for every front end). The client awaits no answer: null.</summary>
    public async Task<Google.Protobuf.IMessage?> ToggleAsync(MeetingRoom room, RoomPeer peer, ProducerToggleRequest request)
    {
        var producer = Find(request.ProducerId);
        services.Media.For(room).SetPaused(producer, request.Pause);
        await MuteAsync(room, peer, producer.ScreenShare, producer.Video, producer.Paused).ConfigureAwait(false);
        return null;
    }

    /// <summary><c>media.closeProducer</c>: the client stopped the track's m-line and offers again; the track ends, and the screen share with its last track.</summary>
    public ProducerClosingResponse CloseProducer(MeetingRoom room, RoomPeer peer, ProducerCloseRequest request)
    {
        var producer = Find(request.ProducerId);
        var publisher = (SfuPublisher)_send!; // a producer exists only on a publishing send transport
        var offer = Parse(request.Description);
        Close(producer);
        var tracks = Producers.Select(p => (p.ScreenShare, p.Video, p.Mid)).ToList();
        var negotiation = Negotiate(offer, tracks);
        if (producer.ScreenShare && !tracks.Any(t => t.ScreenShare))
        {
            PublicationOf(screen: true)?.Unpublish();
        }

        publisher.Renegotiate(negotiation, Mids(tracks));
        return new ProducerClosingResponse { Description = Answer(publisher, negotiation, request.Description.Target) };
    }

    /// <summary>
    /// The client's offer says what it sends: a producer whose m-line no longer sends was closed by the client without a
    /// word (the SDK coming back on a new socket sets its old senders inactive and produces again on new m-lines), so it
    /// closes here too and the room is told; its stream goes on, fed by the new m-line that replaces it.
    /// </summary>
    private void CloseProducersNotSending(SdpSessionDescription offer, string except)
    {
        foreach (var producer in Producers.Where(p => p.Mid != except))
        {
            if (!offer.Media.Exists(m => m.Mid == producer.Mid && !m.Rejected && m.Direction is "sendonly" or "sendrecv"))
            {
                Close(producer);
            }
        }
    }

    /// <summary>
    /// The client left, its peer left the room, or it came back with new transports: its transports end, and its
    /// streams with the send one; with <paramref name="announce"/>, the room hears its producers closed.
    /// </summary>
    public void Close(string reason, bool announce)
    {
        ForgetProducers(announce);
        PublicationOf(screen: false)?.Unpublish();
        PublicationOf(screen: true)?.Unpublish();
        _send?.Close(reason);
        _receive?.Close(reason);
    }

    /// <summary>
    /// The live publication of the peer's camera or screen share on the send transport (made at the source's first
    /// producer). One the router ended while the transport stays (the peer left the stage, a WEBINAR client keeps its
    /// transports) is not: the next producer of its source starts a new one.
    /// </summary>
    private SfuPublication? PublicationOf(bool screen) =>
        (_router, _peer, _send) is ({ } router, { } peer, SfuPublisher publisher)
            ? publisher.Publications.FirstOrDefault(p => !p.IsClosed
                && p.StreamId == new MeetingStreamKey(router.MeetingId, peer.Id, screen ? MediaSource.Screenshare : MediaSource.Camera).HubId)
            : null;

    /// <summary>Each live publication's tracks: the m-lines of its source's producers.</summary>
    private List<SfuPublicationMids> Mids(List<(bool ScreenShare, bool Video, string Mid)> tracks)
    {
        var mids = new List<SfuPublicationMids>(2);
        foreach (var (publication, screen) in new[] { (PublicationOf(screen: false), false), (PublicationOf(screen: true), true) })
        {
            if (publication is not null)
            {
                mids.Add(new SfuPublicationMids(publication, MidOf(screen, video: false), MidOf(screen, video: true)));
            }
        }

        return mids;

        string? MidOf(bool screen, bool video) => tracks.Where(t => t.ScreenShare == screen && t.Video == video).Select(t => t.Mid).FirstOrDefault();
    }

    /// <summary>The producer closes in the router (the room is told, unless <paramref name="announce"/> is false).</summary>
    private void Close(MeetingProducer producer, bool announce = true)
    {
        _router?.CloseProducer(producer, announce);
    }

    private void ForgetProducers(bool announce)
    {
        foreach (var producer in Producers)
        {
            Close(producer, announce);
        }
    }

    /// <summary>A camera track is muted through the room (every front end hears of it); a screen share's on its publication.</summary>
    private Task MuteAsync(MeetingRoom room, RoomPeer peer, bool screen, bool video, bool paused)
    {
        if (screen)
        {
            PublicationOf(screen: true)?.SetMuted(video, paused);
            return Task.CompletedTask;
        }

        return room.SetMutedAsync(peer, video ? null : !paused, video ? !paused : null);
    }

    private MeetingProducer Find(string producerId) =>
        Producers.Find(p => p.Id == producerId) ?? throw new DomainException(DomainError.NotFound, $"no producer {producerId} on this connection");

    /// <summary>The answer for the tracks given; the camera's video takes the simulcast layers it offers (the preset's <c>config.media.video.simulcast</c>).</summary>
    private PublishNegotiation Negotiate(SdpSessionDescription offer, List<(bool ScreenShare, bool Video, string Mid)> tracks)
    {
        try
        {
            string? camera = tracks.Where(t => t.Video && !t.ScreenShare).Select(t => t.Mid).FirstOrDefault();
            return SfuTransportNegotiation.Answer(offer, Policy.Policy with { TransportWideCc = services.Transports.Transport.Options.CongestionControl }, [.. tracks.Select(t => t.Mid)], camera);
        }
        catch (SdpException ex)
        {
            throw new DomainException(DomainError.BadRequest, ex.Message);
        }
    }

    private static SessionDescription Answer(WebRtcSession session, PublishNegotiation negotiation, Target target) => new()
    {
        Target = target,
        Type = "answer",
        Sdp = session.Answer(negotiation.Media),
    };

    private static SdpSessionDescription Parse(SessionDescription? description)
    {
        if (description is not { Type: "offer" })
        {
            throw new DomainException(DomainError.BadRequest, "description must be the client's SDP offer (type \"offer\")");
        }

        return ParseSdp(description.Sdp);
    }

    /// <summary>The m-line the client put the track on: <c>app_data</c> is JSON <c>{"mid": …, "e2ee": …, "screenShare": …}</c>.</summary>
    private static string MidOf(ProducerCreateRequest request)
    {
        try
        {
            using var appData = JsonDocument.Parse(request.HasAppData ? request.AppData : "null");
            if (appData.RootElement.ValueKind == JsonValueKind.Object && appData.RootElement.TryGetProperty("mid", out var mid)
                && (mid.ValueKind == JsonValueKind.String ? mid.GetString() : mid.ValueKind == JsonValueKind.Number ? mid.GetRawText() : null) is { Length: > 0 and <= 32 } value)
            {
                return value;
            }
        }
        catch (JsonException)
        {
        }

        throw new DomainException(DomainError.BadRequest, "app_data must be JSON naming the producer's m-line: {\"mid\": \"…\"}");
    }
}
