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
    /// <c>media.consume</c>: an m-line per producer, in the offer of the answer. A producer the router does not let the
    /// peer consume (gone, hidden, another room's, its own audio, beyond the preset's <c>max_video_streams</c>:
    /// <see cref="MeetingRouter.TryConsume"/>), or that has no room on the connection, gets an <c>error_code</c> instead,
    /// and the others go ahead.
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
        var refusal = ConsumeRefusal.NotFound;
        var producer = router.FindProducer(wanted.ProducerId);
        if (producer is null || router.Consume(peer, producer, receive, out refusal) is not { } track)
        {
            return new ConsumerState { ConsumerId = "", ErrorCode = Words(refusal) };
        }

        if (track.Video)
        {
            track.Priority = producer.Source == MediaSource.Screenshare ? 1 : 0; // a short downlink keeps a screen's text readable first
            ReadLayer(room, track, wanted.Simulcast);
        }

        return new ConsumerState
        {
            ConsumerId = ConsumerId(track),
            ProducerState = RealtimeKitProducerViews.State(producer),
            ProducerTrack = new ProducerTrack { TrackId = producer.Id, ProducerId = producer.Id, StreamId = track.Mid },
        };

        string Words(ConsumeRefusal why) => why switch
        {
            ConsumeRefusal.OwnAudio => "a peer does not hear its own audio",
            ConsumeRefusal.TooManyVideoStreams => $"the preset allows {Permissions.MaxVideoStreams} video streams at once (max_video_streams)",
            ConsumeRefusal.NotFlowing => "the producer's media is not flowing yet",
            ConsumeRefusal.NoCodec => $"the receive transport takes no {producer!.Codec.Name}",
            ConsumeRefusal.TransportFull => $"the receive transport has {SdpSessionDescription.MaxMediaSections} m-lines, the most it takes",
            _ => "producer not found",
        };
    }

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
