using System.Text;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whep;

namespace Stagecast.Server.Features.WebRtc;

/// <summary>
/// WHEP: <c>POST /{livestream_id}/whep</c> with a recvonly SDP offer answers 201 with a sendonly answer and the
/// session's URL; public like the playback URL. DELETE ends the viewer's session; PATCH and OPTIONS as for WHIP.
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

    private static async Task<IResult> PlayAsync(HttpContext context, string livestreamId, WebRtcTransport transport, StreamHub hub, OpusFeeds opus, HubVideoFanouts videos, ILoggerFactory loggers)
    {
        if (hub.Find(livestreamId) is not { } stream || stream.State != HubStreamState.Live)
        {
            return ApiResults.Error(404, "no live stream with this id");
        }

        var (offer, error) = await WebRtcHttp.ReadOfferAsync(context);
        if (offer is null)
        {
            return error!;
        }

        string clientAddress = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        WhepSession session;
        try
        {
            // A WebRTC publisher's own RTP goes to the viewer as it came when the viewer takes its codecs; else the hub's frames.
            session = WhepNegotiation.ChooseForwarded(offer, stream) is { } forwarded
                ? new ForwardingWhepSession(transport, offer, forwarded, clientAddress, stream, loggers.CreateLogger<WhepSession>())
                : new HubWhepSession(transport, offer, WhepNegotiation.Choose(offer, stream), clientAddress, stream, opus, videos, loggers.CreateLogger<WhepSession>());
        }
        catch (SdpException ex)
        {
            return ApiResults.Error(422, ex.Message);
        }

        return WebRtcHttp.Answer(context, transport, session, session.Negotiation.Media, $"/{livestreamId}/whep/{session.Id}");
    }
}
