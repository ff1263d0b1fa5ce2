using System.Text;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;
using Stagecast.Streaming.Renditions;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whep;

namespace Stagecast.Server.Features.WebRtcServer;

/// <summary>
/// WHEP: <c>POST /{livestream_id}/whep</c> with a recvonly SDP offer answers 201 with a sendonly answer and the
/// session's URL; public like the playback URL. <c>?rendition=360p</c> asks for one of the livestream's renditions
/// instead of the source (400 for a name that is no rendition, 404 when that rendition is not live). DELETE ends the
/// viewer's session; PATCH and OPTIONS as for WHIP.
/// </summary>
public static class WhepEndpoints
{
    public static IEndpointRouteBuilder MapWhep(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/{livestreamId}/whep").ExcludeFromDescription()
            .MapSessionResource<WhepSession>("WHEP", "livestreamId", session => session.StreamId, session => session.Close("the viewer ended the session"))
            .MapPost("", PlayAsync);
        return endpoints;
    }

    private static async Task<IResult> PlayAsync(
        HttpContext context, string livestreamId, string? rendition, WebRtcTransport transport, StreamHub hub, RenditionHub renditions, OpusFeeds opus, HubVideoFanouts videos,
        IceServers iceServers, ILoggerFactory loggers)
    {
        if (hub.Find(livestreamId) is not { } stream || stream.State != HubStreamState.Live)
        {
            return ApiResults.Error(404, "no live stream with this id");
        }

        HubStream? encode = null;
        if (rendition is not null && rendition != Rendition.Source.Name)
        {
            if (!RenditionLadder.TryParse([rendition], out var asked, out string? unknown))
            {
                return ApiResults.Error(400, $"rendition: {unknown}");
            }

            encode = renditions.Hub.Find(RenditionHub.StreamId(livestreamId, asked.First(r => !r.IsSource)));
            if (encode is not { State: HubStreamState.Live, Video: not null })
            {
                return ApiResults.Error(404, $"the livestream has no live {rendition} rendition; ask for the source or another of its ladder");
            }
        }

        var (offer, error) = await WebRtcHttp.ReadOfferAsync(context);
        if (offer is null)
        {
            return error!;
        }

        // A player that comes as the stream goes live waits for its tracks (a few seconds at most) rather than being
        // told there is no media yet.
        await stream.WhenTracksKnownAsync(context.RequestAborted);
        if (stream.State != HubStreamState.Live)
        {
            return ApiResults.Error(404, "no live stream with this id");
        }

        string clientAddress = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        WhepSession session;
        try
        {
            // A WebRTC publisher's own RTP goes to the viewer as it came when the viewer takes its codecs; else the hub's
            // frames. A rendition is an encode of the hub's: its video, the source's audio.
            session = encode is null && WhepNegotiation.ChooseForwarded(offer, stream, transport.Options.CongestionControl) is { } forwarded
                ? new ForwardingWhepSession(transport, offer, forwarded, clientAddress, stream, loggers.CreateLogger<WhepSession>())
                : new HubWhepSession(transport, offer, WhepNegotiation.Choose(offer, encode ?? stream), clientAddress, stream, opus, videos, loggers.CreateLogger<WhepSession>(), encode);
        }
        catch (SdpException ex)
        {
            return ApiResults.Error(422, ex.Message);
        }

        return WebRtcHttp.Answer(context, transport, session, session.Negotiation.Media, $"/{livestreamId}/whep/{session.Id}", iceServers.ForViewer(clientAddress));
    }
}
