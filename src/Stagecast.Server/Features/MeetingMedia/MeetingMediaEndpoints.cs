using System.Security.Claims;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Features.WebRtc;
using Stagecast.Server.Hosting.Api;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Sfu;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whep;
using Stagecast.WebRtc.Whip;

namespace Stagecast.Server.Features.MeetingMedia;

/// <summary>
/// Media in a meeting over WHIP and WHEP with a participant token (API.md section 4):
/// <c>POST /realtime/v1/peers/{peer_id}/whip?source=camera|screenshare</c> publishes the caller's own joined peer's
/// source; <c>POST /realtime/v1/peers/{peer_id}/whep?source=…</c> watches another joined peer's source (never its own
/// audio). DELETE and PATCH on the Location as for livestreams.
/// </summary>
public static class MeetingMediaEndpoints
{
    public const string Path = "/realtime/v1/peers/{peerId}";

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
        MeetingMediaService media, MeetingMediaHub tracks, IceServers iceServers, ILoggerFactory loggers)
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

        var permissions = peer.Permissions;
        var policy = kind == MediaSource.Camera
            ? new WhipPolicy(PreferVp8: true, AllowAudio: permissions.CanProduceAudio, AllowVideo: permissions.CanProduceVideo, AudioLevels: true)
            : new WhipPolicy(PreferVp8: true, AllowAudio: permissions.CanProduceScreenshare, AllowVideo: permissions.CanProduceScreenshare);
        if (!policy.AllowAudio && !policy.AllowVideo)
        {
            return ApiResults.Error(403, kind == MediaSource.Camera
                ? "your preset does not allow producing audio or video"
                : "your preset does not allow sharing the screen");
        }

        var roomMedia = media.For(room!);
        if (!roomMedia.IsPublishing(peer.Id) && roomMedia.PublishingPeers >= media.Options.MaxPublishersPerMeeting)
        {
            return ApiResults.Error(409, $"the meeting has {media.Options.MaxPublishersPerMeeting} publishing peers, the most it takes (Stagecast:MeetingMedia:MaxPublishersPerMeeting)");
        }

        var (offer, error) = await WebRtcHttp.ReadOfferAsync(context);
        if (offer is null)
        {
            return error!;
        }

        WhipNegotiation negotiation;
        try
        {
            negotiation = WhipNegotiation.Choose(offer, policy);
        }
        catch (SdpException ex)
        {
            return ApiResults.Error(400, ex.Message);
        }

        string clientAddress = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var publisher = new SfuPublisher(transport, offer, negotiation, clientAddress, tracks.Hub, MeetingMediaHub.StreamId(room!.MeetingId, peer.Id, kind),
            roomMedia, media.Options.MediaTimeout, loggers.CreateLogger<SfuPublisher>());
        roomMedia.AddPublication(peer, kind, publisher.Publication);
        return WebRtcHttp.Answer(context, transport, publisher, negotiation.Media, $"{Prefix(peer.Id)}/whip/{publisher.Id}", iceServers.For(peer.Participant.Id));
    }

    private static async Task<IResult> SubscribeAsync(HttpContext context, string peerId, string? source, WebRtcTransport transport, MeetingRooms rooms,
        MeetingMediaService media, MeetingMediaHub tracks, IceServers iceServers, ILoggerFactory loggers)
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

        if (tracks.Hub.Find(MeetingMediaHub.StreamId(room.MeetingId, publisherPeer!.Id, kind)) is not { } stream)
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
            negotiation = WhepNegotiation.ChooseForSubscriber(offer, stream, audio: !ownPeer);
        }
        catch (SdpException ex)
        {
            return ApiResults.Error(422, ex.Message);
        }

        string clientAddress = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var session = new ForwardingWhepSession(transport, offer, negotiation, clientAddress, stream, loggers.CreateLogger<WhepSession>());
        var subscription = new Subscription(session, participantId, subscriber.Id, publisherPeer.Id, kind, negotiation.Video is not null, ownPeer);
        if (!media.For(room).TryAddSubscription(subscription, subscriber.Permissions.MaxVideoStreams))
        {
            session.Dispose();
            return ApiResults.Error(403, $"your preset lets you watch {subscriber.Permissions.MaxVideoStreams} peers' video at once (its max_video_streams)");
        }

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

    private static string PeerIdOf(SfuPublisher publisher) => publisher.Publication.StreamId.Split('/')[1];

    private static string PublisherPeerOf(ForwardingWhepSession session) => session.StreamId.Split('/')[1];

    private static string Prefix(string peerId) => Path.Replace("{peerId}", peerId, StringComparison.Ordinal);
}
