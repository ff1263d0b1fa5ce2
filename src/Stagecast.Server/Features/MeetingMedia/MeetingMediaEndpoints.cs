using System.Runtime.CompilerServices;
using System.Security.Claims;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Features.WebRtcServer;
using Stagecast.Server.Hosting.Api;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whep;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>
/// Media in a meeting over WHIP and WHEP with a participant token (API.md section 4):
/// <c>POST /realtime/v1/peers/{peer_id}/whip?source=camera|screenshare</c> publishes the caller's own joined peer's
/// source; <c>POST /realtime/v1/peers/{peer_id}/whep?source=…</c> watches another joined peer's source (never its own
/// audio). DELETE and PATCH on the Location as for livestreams. A front end of the meeting's router: a publish is a
/// publishing connection whose tracks become producers as they flow, a subscription a consumer.
/// </summary>
public static class MeetingMediaEndpoints
{
    public const string Path = "/realtime/v1/peers/{peerId}";

    /// <summary>The stream each session publishes or watches, for its resource's checks.</summary>
    private static readonly ConditionalWeakTable<WebRtcSession, StrongBox<MeetingStreamKey>> Streams = new();

    public static IEndpointRouteBuilder MapMeetingMedia(this IEndpointRouteBuilder endpoints)
    {
        var peer = endpoints.MapGroup(Path).ExcludeFromDescription();
        peer.MapGroup("/whip").MapSessionResource<SfuPublisher>("meeting WHIP", "peerId", PeerIdOf, session => session.Publication.Unpublish())
            .MapPost("", PublishAsync).RequireAuthorization(ParticipantAuthenticationHandler.Policy);
        peer.MapGroup("/whep").MapSessionResource<ForwardingWhepSession>("meeting WHEP", "peerId", PublisherPeerOf,
            session => session.Close("the subscriber ended the session"))
            .MapPost("", SubscribeAsync).RequireAuthorization(ParticipantAuthenticationHandler.Policy);
        return endpoints;
    }

    private static async Task<IResult> PublishAsync(HttpContext context, string peerId, string? source, WebRtcTransport transport, MeetingRooms rooms,
        MeetingMediaService media, IceServers iceServers)
    {
        if (!MediaSources.TryParse(source, out var kind))
        {
            return ApiResults.Error(400, "\"source\" must be camera or screenshare");
        }

        var (room, peer, refusal) = Find(context, rooms, peerId);
        if (refusal is not null)
        {
            return refusal;
        }

        if (peer!.Participant.Id != context.User.FindFirstValue(ParticipantAuthenticationHandler.ParticipantClaim))
        {
            return ApiResults.Error(403, "a participant publishes only as its own peer");
        }

        var policy = MeetingAdmission.Policy(peer.Permissions, kind);
        policy.Check();
        var router = media.For(room!);
        router.AdmitPublisher(peer);

        var (offer, error) = await WebRtcHttp.ReadOfferAsync(context);
        if (offer is null)
        {
            return error!;
        }

        PublishNegotiation negotiation;
        try
        {
            negotiation = PublishNegotiation.Choose(offer, policy.Policy with { TransportWideCc = transport.Options.CongestionControl });
        }
        catch (SdpException ex)
        {
            return ApiResults.Error(400, ex.Message);
        }

        var publisher = router.Publish(peer, kind, offer, negotiation, ClientAddress(context));
        Streams.Add(publisher, new(new MeetingStreamKey(room!.MeetingId, peer.Id, kind)));
        return WebRtcHttp.Answer(context, transport, publisher, negotiation.Media, $"{Prefix(peer.Id)}/whip/{publisher.Id}", iceServers.For(peer.Participant.Id));
    }

    private static async Task<IResult> SubscribeAsync(HttpContext context, string peerId, string? source, WebRtcTransport transport, MeetingRooms rooms,
        MeetingMediaService media, MeetingMediaHub tracks, IceServers iceServers)
    {
        if (!MediaSources.TryParse(source, out var kind))
        {
            return ApiResults.Error(400, "\"source\" must be camera or screenshare");
        }

        var (room, publisherPeer, refusal) = Find(context, rooms, peerId);
        if (refusal is not null)
        {
            return refusal;
        }

        string participantId = context.User.FindFirstValue(ParticipantAuthenticationHandler.ParticipantClaim)!;
        if (room!.Peers.LastOrDefault(p => p.Participant.Id == participantId) is not { } subscriber)
        {
            return ApiResults.Error(403, "join the meeting (the realtime channel's join) before watching its peers");
        }

        var key = new MeetingStreamKey(room.MeetingId, publisherPeer!.Id, kind);
        if (tracks.Hub.Find(key.HubId) is not { } stream)
        {
            return ApiResults.Error(404, $"peer {publisherPeer.Id} does not publish its {kind.Name()} now; subscribe when peer_updated says it does");
        }

        var (offer, error) = await WebRtcHttp.ReadOfferAsync(context);
        if (offer is null)
        {
            return error!;
        }

        bool ownPeer = publisherPeer.Participant.Id == participantId;
        WhepNegotiation negotiation;
        try
        {
            negotiation = WhepNegotiation.ChooseForSubscriber(offer, stream, audio: !ownPeer, transportWideCc: transport.Options.CongestionControl);
        }
        catch (SdpException ex)
        {
            return ApiResults.Error(422, ex.Message);
        }

        if (media.For(room).Subscribe(subscriber, publisherPeer, kind, stream, offer, negotiation, ClientAddress(context), out var why) is not { } session)
        {
            return why switch
            {
                ConsumeRefusal.TooManyVideoStreams =>
                    ApiResults.Error(403, $"your preset lets you watch {subscriber.Permissions.MaxVideoStreams} peers' video at once (its max_video_streams)"),
                _ => ApiResults.Error(404, $"no peer {publisherPeer.Id} in this meeting's session"),
            };
        }

        Streams.Add(session, new(key));
        return WebRtcHttp.Answer(context, transport, session, negotiation.Media, $"{Prefix(publisherPeer.Id)}/whep/{session.Id}", iceServers.For(participantId));
    }

    /// <summary>The caller's meeting room and the path's peer in it: 404 when there is no session or no such peer.</summary>
    private static (MeetingRoom? Room, RoomPeer? Peer, IResult? Refusal) Find(HttpContext context, MeetingRooms rooms, string peerId)
    {
        string meetingId = context.User.FindFirstValue(ParticipantAuthenticationHandler.MeetingClaim)!;
        if (rooms.Find(meetingId) is not { } room)
        {
            return (null, null, ApiResults.Error(404, "the meeting has no session in progress: join it first"));
        }

        return room.Peers.FirstOrDefault(p => p.Id == peerId) is { } peer
            ? (room, peer, null)
            : (room, null, ApiResults.Error(404, $"no peer {peerId} in this meeting's session"));
    }

    private static string PeerIdOf(SfuPublisher publisher) => Streams.TryGetValue(publisher, out var stream) ? stream.Value.PeerId : "";

    private static string PublisherPeerOf(ForwardingWhepSession session) => Streams.TryGetValue(session, out var stream) ? stream.Value.PeerId : "";

    private static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static string Prefix(string peerId) => Path.Replace("{peerId}", peerId, StringComparison.Ordinal);
}
