using System.Text.Json;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Presets;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whip;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// One RealtimeKit client's media (the study's section 3.4) on the meetings' SFU core. The client makes two WebRTC
/// connections before it joins, offering first on each: its send transport (<see cref="SfuPublisher"/>), and its
/// receive transport, idle until the server sends it something. Its producers are the send transport's tracks, each on
/// the m-line the client names: microphone and camera go to the peer's camera stream in the meeting media, screen video
/// and audio to its screen share stream, as meeting WHIP publishes of those sources would (one publication each, made
/// at the source's first producer). Pausing a camera track mutes it through the room, so every front end sees it;
/// the last screen share track closed ends the screen share. Requests come one at a time from the client's socket loop.
/// </summary>
/// <param name="permissions">The client's permissions as of now (read again before each privileged request).</param>
public sealed partial class RealtimeKitMedia(RealtimeKitMediaServices services, Func<PresetPermissions> permissions, string clientAddress)
{
    private readonly Dictionary<string, RealtimeKitMediaProducer> _producers = new(StringComparer.Ordinal);
    private Func<PresetPermissions> _permissions = permissions;
    private MeetingRoom? _room;
    private WebRtcSession? _send;
    private SfuReceiveSession? _receive;
    private SfuPublication? _camera;
    private SfuPublication? _screen;

    private PresetPermissions Permissions => _permissions();

    /// <summary>Whether the client made any transport (a client coming back without one goes on with these).</summary>
    public bool HasTransports => _send is not null || _receive is not null;

    /// <summary>The media is used by another client of the same peer now (one that came back on a new socket).</summary>
    public void ServeFor(Func<PresetPermissions> permissions) => _permissions = permissions;

    private bool CanProduce => Permissions.CanProduceAudio || Permissions.CanProduceVideo || Permissions.CanProduceScreenshare;

    private WhipPolicy Policy => new(PreferVp8: true, AllowAudio: Permissions.CanProduceAudio || Permissions.CanProduceScreenshare,
        AllowVideo: Permissions.CanProduceVideo || Permissions.CanProduceScreenshare, AudioLevels: true);

    /// <summary><c>media.createWebRTCTransport</c>: the client's first offer on one of its connections, answered (ICE-lite, DTLS passive).</summary>
    public CreateTransportResponse CreateTransport(CreateTransportRequest request)
    {
        var offer = Parse(request.Description);
        var negotiation = Negotiate(offer, []);
        WebRtcSession session = request.Consuming ? new SfuReceiveSession(services.Transport, offer, negotiation.Media, clientAddress)
            : !CanProduce ? new SfuIdleSession(services.Transport, offer, clientAddress)
            : new SfuPublisher(services.Transport, offer, negotiation, clientAddress, services.Tracks.Hub, services.Media.Options.MediaTimeout,
                services.Loggers.CreateLogger<SfuPublisher>());
        if (!services.Transport.TryRegister(session))
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
            (_camera, _screen) = (null, null);
            _send = session;
        }

        return new CreateTransportResponse { TransportId = session.Id, Description = Answer(session, negotiation, request.Description.Target) };
    }

    /// <summary>
    /// <c>media.produce</c>: the client added a track to the send transport and offers again. A source's first producer
    /// starts the peer's stream of that source; a new producer of a kind and source replaces the old.
    /// </summary>
    public async Task<ProducerCreateResponse> ProduceAsync(MeetingRoom room, RoomPeer peer, ProducerCreateRequest request)
    {
        if (_send is not SfuPublisher { IsClosed: false } publisher)
        {
            throw _send is SfuIdleSession
                ? new DomainException(DomainError.Forbidden, "your preset does not allow producing audio, video or a screen share")
                : new DomainException(DomainError.Conflict, "create the send transport first (media.createWebRTCTransport)");
        }

        bool video = request.Kind switch
        {
            "audio" => false,
            "video" => true,
            _ => throw new DomainException(DomainError.BadRequest, "kind must be audio or video"),
        };
        bool screen = request.ScreenShare;
        var may = Permissions;
        if (screen ? !may.CanProduceScreenshare : video ? !may.CanProduceVideo : !may.CanProduceAudio)
        {
            throw new DomainException(DomainError.Forbidden, $"your preset does not allow producing {(screen ? "a screen share" : request.Kind)}");
        }

        string mid = MidOf(request);
        var offer = Parse(request.Description);
        _room = room;
        CloseProducersNotSending(room, peer, offer, except: mid);
        var replaced = _producers.Values.FirstOrDefault(p => p.Video == video && p.ScreenShare == screen);
        List<(bool ScreenShare, bool Video, string Mid)> tracks = [.. _producers.Values.Where(p => p != replaced).Select(p => (p.ScreenShare, p.Video, p.Mid)), (screen, video, mid)];
        var negotiation = Negotiate(offer, tracks);
        var roomMedia = services.Media.For(room);
        int most = services.Media.Options.MaxPublishersPerMeeting;
        if (_camera is null && _screen is null && !roomMedia.IsPublishing(peer.Id) && roomMedia.PublishingPeers >= most)
        {
            throw new DomainException(DomainError.Conflict, $"the meeting has {most} publishing peers, the most it takes (Stagecast:MeetingMedia:MaxPublishersPerMeeting)");
        }

        var source = screen ? MediaSource.Screenshare : MediaSource.Camera;
        var publication = screen ? _screen : _camera;
        bool started = publication is null;
        if (publication is null)
        {
            publication = publisher.CreatePublication(MeetingMediaHub.StreamId(room.MeetingId, peer.Id, source), roomMedia);
            roomMedia.AddPublication(peer, source, publication);
            (_camera, _screen) = screen ? (_camera, publication) : (publication, _screen);
        }

        publisher.Renegotiate(negotiation, Mids(tracks));
        if (started)
        {
            publisher.Publish(publication);
        }

        if (replaced is not null)
        {
            Forget(replaced);
            Announce(room, RealtimeKitProducerChanged.Closed(peer, replaced.State));
        }

        var producer = new RealtimeKitMediaProducer(peer, publication.StreamId, video, screen, mid, (video ? publication.Video : publication.Audio)!.Codec, publisher.Id,
            request.HasAppData ? request.AppData : null, request.Paused);
        _producers.Add(producer.Id, producer);
        services.Producers.Add(producer);
        await SetPausedAsync(room, peer, producer).ConfigureAwait(false);
        Announce(room, RealtimeKitProducerChanged.Created(peer, producer.State));
        return new ProducerCreateResponse { Status = true, ProducerId = producer.Id, Description = Answer(publisher, negotiation, request.Description.Target) };
    }

    /// <summary><c>media.toggleProducer</c>: pausing mutes the track (for every front end). The client awaits no answer: null.</summary>
    public async Task<Google.Protobuf.IMessage?> ToggleAsync(MeetingRoom room, RoomPeer peer, ProducerToggleRequest request)
    {
        var producer = Find(request.ProducerId);
        producer.Paused = request.Pause;
        await SetPausedAsync(room, peer, producer).ConfigureAwait(false);
        Announce(room, RealtimeKitProducerChanged.Toggled(peer, producer.State));
        return null;
    }

    /// <summary><c>media.closeProducer</c>: the client stopped the track's m-line and offers again; the track ends, and the screen share with its last track.</summary>
    public ProducerClosingResponse CloseProducer(MeetingRoom room, RoomPeer peer, ProducerCloseRequest request)
    {
        var producer = Find(request.ProducerId);
        var publisher = (SfuPublisher)_send!; // a producer exists only on a publishing send transport
        var offer = Parse(request.Description);
        Forget(producer);
        var tracks = _producers.Values.Select(p => (p.ScreenShare, p.Video, p.Mid)).ToList();
        var negotiation = Negotiate(offer, tracks);
        if (producer.ScreenShare && !tracks.Any(t => t.ScreenShare))
        {
            _screen?.Unpublish();
            _screen = null;
        }

        publisher.Renegotiate(negotiation, Mids(tracks));
        Announce(room, RealtimeKitProducerChanged.Closed(peer, producer.State));
        return new ProducerClosingResponse { Description = Answer(publisher, negotiation, request.Description.Target) };
    }

    /// <summary>
    /// The client's offer says what it sends: a producer whose m-line no longer sends was closed by the client without a
    /// word (the SDK coming back on a new socket sets its old senders inactive and produces again on new m-lines), so it
    /// closes here too and the room is told; its stream goes on, fed by the new m-line that replaces it.
    /// </summary>
    private void CloseProducersNotSending(MeetingRoom room, RoomPeer peer, SdpSessionDescription offer, string except)
    {
        foreach (var producer in _producers.Values.Where(p => p.Mid != except).ToList())
        {
            if (!offer.Media.Exists(m => m.Mid == producer.Mid && !m.Rejected && m.Direction is "sendonly" or "sendrecv"))
            {
                Forget(producer);
                Announce(room, RealtimeKitProducerChanged.Closed(peer, producer.State));
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
        _camera?.Unpublish();
        _screen?.Unpublish();
        _send?.Close(reason);
        _receive?.Close(reason);
    }

    /// <summary>Each live publication's tracks: the m-lines of its source's producers.</summary>
    private List<SfuPublicationMids> Mids(List<(bool ScreenShare, bool Video, string Mid)> tracks)
    {
        var mids = new List<SfuPublicationMids>(2);
        foreach (var (publication, screen) in new[] { (_camera, false), (_screen, true) })
        {
            if (publication is not null)
            {
                mids.Add(new SfuPublicationMids(publication, MidOf(screen, video: false), MidOf(screen, video: true)));
            }
        }

        return mids;

        string? MidOf(bool screen, bool video) => tracks.Where(t => t.ScreenShare == screen && t.Video == video).Select(t => t.Mid).FirstOrDefault();
    }

    private void Forget(RealtimeKitMediaProducer producer)
    {
        _producers.Remove(producer.Id);
        services.Producers.Remove(producer);
    }

    private void ForgetProducers(bool announce)
    {
        foreach (var producer in _producers.Values.ToList())
        {
            Forget(producer);
            if (announce && _room is { } room)
            {
                Announce(room, RealtimeKitProducerChanged.Closed(producer.Peer, producer.State));
            }
        }
    }

    /// <summary>A camera track is muted through the room (every front end hears of it); a screen share's on its publication.</summary>
    private Task SetPausedAsync(MeetingRoom room, RoomPeer peer, RealtimeKitMediaProducer producer)
    {
        if (producer.ScreenShare)
        {
            _screen?.SetMuted(producer.Video, producer.Paused);
            return Task.CompletedTask;
        }

        return room.SetMutedAsync(peer, producer.Video ? null : !producer.Paused, producer.Video ? !producer.Paused : null);
    }

    private static void Announce(MeetingRoom room, RealtimeKitProducerChanged change)
    {
        if (!change.Peer.Hidden)
        {
            room.Publish(change);
        }
    }

    private RealtimeKitMediaProducer Find(string producerId) =>
        _producers.GetValueOrDefault(producerId) ?? throw new DomainException(DomainError.NotFound, $"no producer {producerId} on this connection");

    /// <summary>The answer for the tracks given; the camera's video takes the simulcast layers it offers (the preset's <c>config.media.video.simulcast</c>).</summary>
    private WhipNegotiation Negotiate(SdpSessionDescription offer, List<(bool ScreenShare, bool Video, string Mid)> tracks)
    {
        try
        {
            string? camera = tracks.Where(t => t.Video && !t.ScreenShare).Select(t => t.Mid).FirstOrDefault();
            return SfuTransportNegotiation.Answer(offer, Policy, [.. tracks.Select(t => t.Mid)], camera);
        }
        catch (SdpException ex)
        {
            throw new DomainException(DomainError.BadRequest, ex.Message);
        }
    }

    private SessionDescription Answer(WebRtcSession session, WhipNegotiation negotiation, Target target) => new()
    {
        Target = target,
        Type = "answer",
        Sdp = SdpAnswer.Build(session.Ice.Credentials, services.Transport.Certificate.Fingerprint, services.Transport.Candidates(null), negotiation.Media, "stagecast"),
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
