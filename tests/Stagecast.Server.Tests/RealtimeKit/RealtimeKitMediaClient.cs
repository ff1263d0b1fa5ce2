using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// RealtimeKit's media spoken without the SDK and without a browser: over a <see cref="RealtimeKitSocketClient"/>, a
/// send transport (<see cref="RealtimeKitSendTransport"/>: H.264 on mid 0, Opus on mid 1, a screen's H.264 on mid 2
/// when asked) whose tracks it produces, pauses and closes, offering again as a browser does (a test feeds them with
/// <see cref="RtpSender"/>), and a receive transport (offering to receive both) on which it consumes producers,
/// answers the server's offers and closes consumers as a browser would. What arrives is counted by kind.
/// </summary>
public sealed class RealtimeKitMediaClient : IAsyncDisposable
{
    /// <summary>The send transport's m-lines: its offer puts video on mid 0 and audio on mid 1 (and a screen's video on mid 2).</summary>
    public const string VideoMid = RealtimeKitSendTransport.VideoMid;

    public const string AudioMid = RealtimeKitSendTransport.AudioMid;

    private readonly DtlsCertificate _certificate = DtlsCertificate.Create(TimeProvider.System);
    private readonly HashSet<string> _stopped = new(StringComparer.Ordinal);
    private string? _sendOffer;

    private RealtimeKitMediaClient(RealtimeKitSocketClient socket) => Socket = socket;

    public RealtimeKitSocketClient Socket { get; }

    public RealtimeKitSendTransport? Sending { get; private set; }

    public WhepClient? Receiving { get; private set; }

    public string? SendTransportId { get; private set; }

    public string? ReceiveTransportId { get; private set; }

    /// <summary>The server's answers to the transports' first offers (<c>createWebRTCTransport</c>).</summary>
    public string? SendAnswer { get; private set; }

    public string? ReceiveAnswer { get; private set; }

    /// <summary>The server's last offer on the receive transport (a consume reply's).</summary>
    public string? ReceiveOffer { get; private set; }

    /// <summary>Opens a socket for <paramref name="token"/> and joins the room.</summary>
    public static async Task<RealtimeKitMediaClient> JoinAsync(int httpsPort, Stagecast.Testing.TestCertificate certificate, string token)
    {
        var client = new RealtimeKitMediaClient(await RealtimeKitSocketClient.ConnectAsync(httpsPort, certificate, token));
        Ok(await client.Socket.RequestAsync(Events.Room.JoinRoom, new Stagecast.RealtimeKit.Protocol.Rooms.JoinRoomRequest()));
        return client;
    }

    /// <summary>Makes the send transport (<c>media.createWebRTCTransport</c>), with an m-line for a screen's video when asked, and connects it.</summary>
    public async Task CreateSendTransportAsync(bool screen = false) =>
        Sending = await RealtimeKitSendTransport.ConnectAsync(async (offer, _) =>
        {
            _sendOffer = offer;
            var reply = Ok(await Socket.RequestAsync(Events.Media.CreateWebRtcTransport, new CreateTransportRequest { Consuming = false, Description = Offer(offer, Target.Publisher) }));
            var created = CreateTransportResponse.Parser.ParseFrom(reply.Payload);
            (SendTransportId, SendAnswer) = (created.TransportId, created.Description.Sdp);
            return created.Description.Sdp;
        }, _certificate, screen);

    /// <summary>Makes the receive transport and connects it.</summary>
    public async Task CreateReceiveTransportAsync() =>
        Receiving = await WhepClient.ConnectAsync(async (offer, _) =>
        {
            var reply = Ok(await Socket.RequestAsync(Events.Media.CreateWebRtcTransport, new CreateTransportRequest { Consuming = true, Description = Offer(offer, Target.Subscriber) }));
            var created = CreateTransportResponse.Parser.ParseFrom(reply.Payload);
            (ReceiveTransportId, ReceiveAnswer) = (created.TransportId, created.Description.Sdp);
            return created.Description.Sdp;
        }, _certificate);

    /// <summary>
    /// <c>media.produce</c> of the send transport's audio (mid 1) or video (mid 0, or a screen share's on mid 2 when the
    /// transport has that m-line): the reply, an error included.
    /// </summary>
    public Task<SocketMessage> ProduceAsync(string kind, bool screenShare = false)
    {
        string mid = kind == "audio" ? AudioMid : screenShare && _sendOffer?.Contains($"a=mid:{RealtimeKitSendTransport.ScreenMid}\r\n", StringComparison.Ordinal) == true
            ? RealtimeKitSendTransport.ScreenMid : VideoMid;
        _stopped.Remove(mid);
        return Socket.RequestAsync(Events.Media.Produce, new ProducerCreateRequest
        {
            Kind = kind,
            ScreenShare = screenShare,
            Description = Offer(SendOffer(), Target.Publisher),
            AppData = $$"""{"mid":"{{mid}}","screenShare":{{(screenShare ? "true" : "false")}}}""",
        });
    }

    /// <summary><c>media.toggleProducer</c>, which the client sends without awaiting an answer (the server gives none).</summary>
    public Task ToggleProducerAsync(string producerId, bool pause)
    {
        Socket.Send(Events.Media.ToggleProducer, new ProducerToggleRequest { ProducerId = producerId, Pause = pause }, out var sent);
        return sent;
    }

    /// <summary><c>media.closeProducer</c>: the track's m-line (<paramref name="mid"/>) stops sending and the client offers again; the reply.</summary>
    public Task<SocketMessage> CloseProducerAsync(string producerId, string mid)
    {
        _stopped.Add(mid);
        return Socket.RequestAsync(Events.Media.CloseProducer, new ProducerCloseRequest
        {
            ProducerId = producerId,
            ProducingTransportId = SendTransportId,
            Description = Offer(SendOffer(), Target.Publisher),
        });
    }

    /// <summary>
    /// <c>media.consume</c> of <paramref name="producerIds"/>, then the server's offer answered as a browser answers it
    /// (<c>renegotiateSessionDescription</c>): the consumers the server made, by producer id (an error code for those it refused).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ConsumerState>> ConsumeAsync(params string[] producerIds)
    {
        var consumers = await OfferConsumersAsync(producerIds);
        await AnswerAsync();
        return consumers;
    }

    /// <summary><c>media.consume</c> alone: the consumers the server made, by producer id; the server's offer is <see cref="ReceiveOffer"/>, not answered yet.</summary>
    public async Task<IReadOnlyDictionary<string, ConsumerState>> OfferConsumersAsync(params string[] producerIds)
    {
        var request = new ConsumePeersRequest { ConsumingTransportId = ReceiveTransportId ?? throw new InvalidOperationException("create the receive transport first") };
        request.Requests.AddRange(producerIds.Select(id => new ConsumePeerRequest { ProducerId = id }));
        var consumed = ConsumePeerResponse.Parser.ParseFrom(Ok(await Socket.RequestAsync(Events.Media.Consume, request)).Payload);
        ReceiveOffer = consumed.Description.Sdp;
        return consumed.ConsumerIdsMap.Map;
    }

    /// <summary><c>media.renegotiateSessionDescription</c>: the server's last offer answered as a browser answers it.</summary>
    public async Task AnswerAsync()
    {
        string answer = (ReceiveOffer ?? throw new InvalidOperationException("consume first")).Replace("a=sendonly", "a=recvonly", StringComparison.Ordinal)
            .Replace("a=setup:actpass", "a=setup:active", StringComparison.Ordinal);
        Ok(await Socket.RequestAsync(Events.Media.RenegotiateSessionDescription, new RenegotiateRequest
        {
            TransportId = ReceiveTransportId,
            Description = new SessionDescription { Target = Target.Subscriber, Type = "answer", Sdp = answer },
        }));
    }

    /// <summary>
    /// <c>media.closeConsumer</c>: the receive transport stops the m-lines <paramref name="mids"/> (port 0) and offers
    /// the rest as they were; the server's answer.
    /// </summary>
    public async Task<string> CloseConsumersAsync(params string[] mids)
    {
        // A stopped transceiver's m-line: port 0 (RFC 8829 5.2.2), inactive.
        var sections = SdpText.Split(ReceiveOffer ?? throw new InvalidOperationException("consume first"))
            .Select(s => mids.Contains(SdpText.MidOf(s)) ? s.Replace(" 9 UDP/", " 0 UDP/", StringComparison.Ordinal).Replace("a=sendonly", "a=inactive", StringComparison.Ordinal)
                : s.Replace("a=sendonly", "a=recvonly", StringComparison.Ordinal));
        var request = new ConsumerCloseRequest
        {
            ConsumingTransportId = ReceiveTransportId,
            Description = new SessionDescription { Target = Target.Subscriber, Type = "offer", Sdp = string.Concat(sections) },
        };
        request.ConsumerIds.AddRange(mids);
        return ConsumerClosingResponse.Parser.ParseFrom(Ok(await Socket.RequestAsync(Events.Media.CloseConsumer, request)).Payload).Description.Sdp;
    }

    /// <summary>The SSRC the server's last offer gives the consumer on m-line <paramref name="mid"/>.</summary>
    public uint ConsumerSsrc(string mid) => SdpText.Of(ReceiveOffer!, mid).Ssrcs.Single();

    /// <summary><c>room.leaveRoom</c>: the server closes the socket (and with the peer, its transports).</summary>
    public async Task LeaveAsync()
    {
        Socket.Send(Events.Room.LeaveRoom, Google.Protobuf.ByteString.Empty, out var sent);
        await sent;
        await Socket.WaitForCloseAsync();
    }

    /// <summary>The producers of <paramref name="kind"/> the room's broadcasts told of so far.</summary>
    public IEnumerable<ProducerState> ProducersAnnounced(ProducerKind kind) =>
        Socket.Received.Where(m => m.Event == Events.Media.PeerProducerCreateBroadcast)
            .Select(m => PeerProducerCreateBroadcastResponse.Parser.ParseFrom(m.Payload).ProducerState)
            .Where(p => p.Kind == kind);

    public async ValueTask DisposeAsync()
    {
        if (Sending is not null)
        {
            await Sending.DisposeAsync();
        }

        if (Receiving is not null)
        {
            await Receiving.DisposeAsync();
        }

        await Socket.DisposeAsync();
    }

    /// <summary>The reply, unless it is an error (then the test fails with its message).</summary>
    public static SocketMessage Ok(SocketMessage reply) =>
        RealtimeKitSocketClient.IsError(reply) ? throw new InvalidOperationException($"the server refused: {ErrorOf(reply)}") : reply;

    public static string ErrorOf(SocketMessage reply) =>
        reply.Event == Events.Media.ErrorResponse ? ErrorResponse.Parser.ParseFrom(reply.Payload).ErrorMessage : ErrorMessage.Parser.ParseFrom(reply.Payload).Message;

    private static SessionDescription Offer(string sdp, Target target) => new() { Target = target, Type = "offer", Sdp = sdp };

    /// <summary>The send transport's offer now: the m-lines of closed producers inactive.</summary>
    private string SendOffer() =>
        string.Concat(SdpText.Split(_sendOffer ?? throw new InvalidOperationException("create the send transport first"))
            .Select(s => _stopped.Contains(SdpText.MidOf(s)) ? s.Replace("a=sendonly", "a=inactive", StringComparison.Ordinal) : s));
}
