using Stagecast.RealtimeKit.Protocol;
using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;
using Events = Stagecast.RealtimeKit.RealtimeKitEvents;

namespace Stagecast.Server.Tests.RealtimeKit;

/// <summary>
/// RealtimeKit's media spoken without the SDK and without a browser: over a <see cref="RealtimeKitSocketClient"/>, a
/// send transport (Stagecast's own WebRTC client, offering H.264 on mid 0 and Opus on mid 1) whose tracks it produces
/// (a test feeds them with <see cref="RtpSender"/>), and a receive transport (offering to receive both) on which it consumes producers and answers
/// the server's offers as a browser would. What arrives is counted by kind.
/// </summary>
public sealed class RealtimeKitMediaClient : IAsyncDisposable
{
    /// <summary>The send transport's m-lines: its offer puts video on mid 0 and audio on mid 1.</summary>
    public const string VideoMid = "0";

    public const string AudioMid = "1";

    private readonly DtlsCertificate _certificate = DtlsCertificate.Create(TimeProvider.System);
    private string? _sendOffer;

    private RealtimeKitMediaClient(RealtimeKitSocketClient socket) => Socket = socket;

    public RealtimeKitSocketClient Socket { get; }

    public WhipClient? Sending { get; private set; }

    public WhepClient? Receiving { get; private set; }

    public string? SendTransportId { get; private set; }

    public string? ReceiveTransportId { get; private set; }

    /// <summary>Opens a socket for <paramref name="token"/> and joins the room.</summary>
    public static async Task<RealtimeKitMediaClient> JoinAsync(int httpsPort, Stagecast.Testing.TestCertificate certificate, string token)
    {
        var client = new RealtimeKitMediaClient(await RealtimeKitSocketClient.ConnectAsync(httpsPort, certificate, token));
        Ok(await client.Socket.RequestAsync(Events.Room.JoinRoom, new Stagecast.RealtimeKit.Protocol.Rooms.JoinRoomRequest()));
        return client;
    }

    /// <summary>Makes the send transport (<c>media.createWebRTCTransport</c>) and connects it.</summary>
    public async Task CreateSendTransportAsync() =>
        Sending = await WhipClient.ConnectAsync(async (offer, _) =>
        {
            _sendOffer = offer;
            var reply = Ok(await Socket.RequestAsync(Events.Media.CreateWebRtcTransport, new CreateTransportRequest { Consuming = false, Description = Offer(offer, Target.Publisher) }));
            var created = CreateTransportResponse.Parser.ParseFrom(reply.Payload);
            SendTransportId = created.TransportId;
            return created.Description.Sdp;
        }, _certificate);

    /// <summary>Makes the receive transport and connects it.</summary>
    public async Task CreateReceiveTransportAsync() =>
        Receiving = await WhepClient.ConnectAsync(async (offer, _) =>
        {
            var reply = Ok(await Socket.RequestAsync(Events.Media.CreateWebRtcTransport, new CreateTransportRequest { Consuming = true, Description = Offer(offer, Target.Subscriber) }));
            var created = CreateTransportResponse.Parser.ParseFrom(reply.Payload);
            ReceiveTransportId = created.TransportId;
            return created.Description.Sdp;
        }, _certificate);

    /// <summary><c>media.produce</c> of the send transport's audio (mid 1) or video (mid 0): the reply, an error included.</summary>
    public Task<SocketMessage> ProduceAsync(string kind, bool screenShare = false) =>
        Socket.RequestAsync(Events.Media.Produce, new ProducerCreateRequest
        {
            Kind = kind,
            ScreenShare = screenShare,
            Description = Offer(_sendOffer ?? throw new InvalidOperationException("create the send transport first"), Target.Publisher),
            AppData = $$"""{"mid":"{{(kind == "video" ? VideoMid : AudioMid)}}","screenShare":{{(screenShare ? "true" : "false")}}}""",
        });

    /// <summary>
    /// <c>media.consume</c> of <paramref name="producerIds"/>, then the server's offer answered as a browser answers it
    /// (<c>renegotiateSessionDescription</c>): the consumers the server made, by producer id (an error code for those it refused).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ConsumerState>> ConsumeAsync(params string[] producerIds)
    {
        var request = new ConsumePeersRequest { ConsumingTransportId = ReceiveTransportId ?? throw new InvalidOperationException("create the receive transport first") };
        request.Requests.AddRange(producerIds.Select(id => new ConsumePeerRequest { ProducerId = id }));
        var consumed = ConsumePeerResponse.Parser.ParseFrom(Ok(await Socket.RequestAsync(Events.Media.Consume, request)).Payload);
        string answer = consumed.Description.Sdp.Replace("a=sendonly", "a=recvonly", StringComparison.Ordinal)
            .Replace("a=setup:actpass", "a=setup:active", StringComparison.Ordinal);
        Ok(await Socket.RequestAsync(Events.Media.RenegotiateSessionDescription, new RenegotiateRequest
        {
            TransportId = ReceiveTransportId,
            Description = new SessionDescription { Target = Target.Subscriber, Type = "answer", Sdp = answer },
        }));
        return consumed.ConsumerIdsMap.Map;
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
}
