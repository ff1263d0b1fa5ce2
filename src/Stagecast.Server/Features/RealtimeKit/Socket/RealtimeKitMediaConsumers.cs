using Stagecast.RealtimeKit.Protocol.Media;
using Stagecast.Server.Features.MeetingMedia;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;

namespace Stagecast.Server.Features.RealtimeKit.Socket;

/// <summary>
/// Consuming (the study's section 3.4): each producer the client asks for gets an m-line of the receive transport, with
/// a mid the server chooses, in an offer of the server's that the client answers with
/// <c>renegotiateSessionDescription</c>; the track flows from then on, forwarded from the producing peer's meeting
/// stream as a meeting WHEP subscription is. Each is a consumer of the router (admitted, and counted in the session's
/// figures, as a WHEP subscription is). The client closes consumers by their mids and offers.
/// </summary>
public sealed partial class RealtimeKitMedia
{
    /// <summary>
    /// <c>media.consume</c>: an m-line per producer, in the offer of the answer. A producer that cannot be consumed (gone,
    /// the client's own, another room's, beyond the preset's <c>max_video_streams</c>, no room on the connection) gets an
    /// <c>error_code</c> instead, and the others go ahead.
    /// </summary>
    public ConsumePeerResponse Consume(MeetingRoom room, RoomPeer peer, ConsumePeersRequest request)
    {
        var receive = Receiving(request.HasConsumingTransportId ? request.ConsumingTransportId : null);
        var answer = new ConsumePeerResponse { Status = true, ConsumerIdsMap = new ProducerIdToConsumerMap() };
        foreach (var wanted in request.Requests.Take(SdpSessionDescription.MaxMediaSections))
        {
            if (!wanted.HasProducerId || answer.ConsumerIdsMap.Map.ContainsKey(wanted.ProducerId))
            {
                continue;
            }

            answer.ConsumerIdsMap.Map[wanted.ProducerId] = ConsumerOf(room, peer, receive, wanted);
        }

        answer.Description = new SessionDescription { Target = Target.Subscriber, Type = "offer", Sdp = receive.Offer() };
        return answer;
    }

    /// <summary><c>media.renegotiateSessionDescription</c>: the client's answer to the last offer; what it took starts flowing.</summary>
    public RenegotiateResponse Renegotiate(RenegotiateRequest request)
    {
        var receive = Receiving(request.TransportId);
        if (request.Description is not { Type: "answer" } description)
        {
            throw new DomainException(DomainError.BadRequest, "description must be the client's SDP answer (type \"answer\")");
        }

        receive.Start(ParseSdp(description.Sdp));
        return new RenegotiateResponse { TransportId = receive.Id };
    }

    /// <summary><c>media.closeConsumer</c>: the client stopped the m-lines it names (its mids) and offers; they close.</summary>
    public ConsumerClosingResponse CloseConsumer(ConsumerCloseRequest request)
    {
        var receive = Receiving(request.HasConsumingTransportId ? request.ConsumingTransportId : null);
        var offer = Parse(request.Description);
        return new ConsumerClosingResponse
        {
            Description = new SessionDescription { Target = request.Description.Target, Type = "answer", Sdp = receive.Answer(offer, request.ConsumerIds) },
        };
    }

    /// <summary>
    /// <c>media.updateConsumersSimulcastConfig</c> (the SDK sizing a participant's video elements): each video consumer
    /// named reads the layer it prefers. The SDK names a consumer by its mid, and by its consumer id in the field
    /// <c>producer_id</c>. The client awaits an answer (any payload; without one it logs a timeout and an uncaught
    /// rejection 20 s later): an empty one.
    /// </summary>
    public Google.Protobuf.IMessage UpdateLayers(MeetingRoom room, UpdateConsumersSimulcastConfigRequest request)
    {
        var receive = Receiving(request.HasConsumingTransportId ? request.ConsumingTransportId : null);
        var consumers = receive.Consumers;
        foreach (var update in request.Requests.Take(SdpSessionDescription.MaxMediaSections))
        {
            if (consumers.FirstOrDefault(c => c.Mid == update.Mid && c.Video && ConsumerId(c) == update.ProducerId) is { } consumer)
            {
                ReadLayer(room, consumer, update.Simulcast);
            }
        }

        return new Google.Protobuf.WellKnownTypes.Empty();
    }

    /// <summary>
    /// A video consumer reads the simulcast layers of its producer's camera in the order the router chooses
    /// (<see cref="MeetingRouter.LayersOf"/>), preferring the one <paramref name="simulcast"/>'s <c>preferred_rid</c>
    /// names (the SDK asks for <c>asciibetical</c> priority: its layers f, h, q go from large to small).
    /// </summary>
    private void ReadLayer(MeetingRoom room, SfuConsumer consumer, Simulcast? simulcast) =>
        consumer.Read(services.Media.For(room).LayersOf(consumer.Stream, simulcast is { HasPreferredRid: true } ? simulcast.PreferredRid : null));

    private ConsumerState ConsumerOf(MeetingRoom room, RoomPeer peer, SfuReceiveSession receive, ConsumePeerRequest wanted)
    {
        var router = services.Media.For(room);
        var producer = router.FindProducer(wanted.ProducerId);
        bool own = producer is not null && producer.Peer.Participant.Id == peer.Participant.Id;
        string? error = producer is null || producer.Peer.Hidden || !room.Peers.Contains(producer.Peer) ? "producer not found"
            : ReferenceEquals(producer.Peer, peer) ? "a peer does not consume its own producers"
            : producer.Video && !own && !router.MayReceiveVideo(peer.Participant.Id, producer.Peer.Id, Permissions.MaxVideoStreams)
                ? $"the preset allows {Permissions.MaxVideoStreams} video streams at once (max_video_streams)"
            : null;
        SfuConsumer? consumer = null;
        if (error is null)
        {
            var stream = services.Tracks.Hub.Find(producer!.Stream.HubId);
            var codec = receive.ReceivingCodec(producer.Video ? "video" : "audio", producer.Codec.Name);
            error = stream is null ? "the producer's media is not flowing yet"
                : codec is null ? $"the receive transport takes no {producer.Codec.Name}"
                : null;
            consumer = error is null ? receive.Add(stream!, producer.Video, codec!, Msid(producer)) : null;
            error ??= consumer is null ? $"the receive transport has {SdpSessionDescription.MaxMediaSections} m-lines, the most it takes" : null;
            if (consumer is not null)
            {
                router.TryAddConsumer(ConsumerOf(receive, peer, producer, consumer, own), int.MaxValue); // admitted above
            }

            if (consumer is { Video: true })
            {
                ReadLayer(room, consumer, wanted.Simulcast);
            }
        }

        if (error is not null)
        {
            return new ConsumerState { ConsumerId = "", ErrorCode = error };
        }

        return new ConsumerState
        {
            ConsumerId = ConsumerId(consumer!),
            ProducerState = RealtimeKitProducerViews.State(producer!),
            ProducerTrack = new ProducerTrack { TrackId = producer!.Id, ProducerId = producer.Id, StreamId = consumer!.Mid },
        };
    }

    /// <summary>The router's consumer a RealtimeKit consumer is: one track, its figures those it forwarded.</summary>
    private static MeetingConsumer ConsumerOf(SfuReceiveSession receive, RoomPeer peer, MeetingProducer producer, SfuConsumer consumer, bool own) =>
        new($"{receive.Id}-{consumer.Mid}", peer.Participant.Id, peer.Id, producer.Peer.Id, producer.Source, consumer.Video, own,
            () => [new ConsumedTrack($"{receive.Id}-{consumer.Mid}", consumer.Video, consumer.Codec, consumer.Ssrc, consumer.Sent.Packets, consumer.Sent.Octets, 0, null)],
            consumer.Closed);

    /// <summary>The track's msid: <c>{peer} {producer}</c>, the stream a client files the track under and the track's id.</summary>
    private static string Msid(MeetingProducer producer) => $"{producer.Peer.Id} {producer.Id}";

    /// <summary>
    /// A consumer's id is its producer's (the msid's track id): a client that comes back on a new socket and finds its
    /// consumers still up matches them to the producers it is told of by id (SDK 2.0.2's remap), as with Cloudflare's.
    /// </summary>
    private static string ConsumerId(SfuConsumer consumer) => consumer.Msid[(consumer.Msid.IndexOf(' ', StringComparison.Ordinal) + 1)..];

    private SfuReceiveSession Receiving(string? transportId) =>
        _receive is { IsClosed: false } receive && (transportId is null || transportId == receive.Id) ? receive
            : throw new DomainException(DomainError.Conflict, "create the receive transport first (media.createWebRTCTransport, consuming)");

    private static SdpSessionDescription ParseSdp(string sdp)
    {
        try
        {
            return SdpSessionDescription.Parse(sdp);
        }
        catch (SdpException ex)
        {
            throw new DomainException(DomainError.BadRequest, ex.Message);
        }
    }
}
