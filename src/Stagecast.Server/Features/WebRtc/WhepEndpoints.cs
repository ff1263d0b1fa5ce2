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
        var group = endpoints.MapGroup("/{livestreamId}/whep").ExcludeFromDescription();
        group.MapPost("", PlayAsync);
        group.MapMethods("", ["OPTIONS"], WebRtcHttp.Preflight);
        group.MapMethods("/{sessionId}", ["OPTIONS"], WebRtcHttp.Preflight);
        group.MapDelete("/{sessionId}", (HttpContext context, WebRtcTransport transport, string livestreamId, string sessionId) =>
        {
            WebRtcHttp.AllowCors(context);
            if (transport.Find(sessionId) is not WhepSession session || session.StreamId != livestreamId)
            {
                return ApiResults.Error(404, "no WHEP session with this id");
            }

            session.Close("the viewer ended the session");
            return Results.Ok();
        });
        group.MapPatch("/{sessionId}", (HttpContext context, WebRtcTransport transport, string livestreamId, string sessionId) =>
            WebRtcHttp.Trickle(context, transport.Find(sessionId) is WhepSession { } session && session.StreamId == livestreamId ? session : null));
        return endpoints;
    }

    private static async Task<IResult> PlayAsync(HttpContext context, string livestreamId, WebRtcTransport transport, StreamHub hub, OpusFeeds opus, ILoggerFactory loggers)
    {
        WebRtcHttp.AllowCors(context);
        if (hub.Find(livestreamId) is not { } stream || stream.State != LiveStreamState.Live)
        {
            return ApiResults.Error(404, "no live stream with this id");
        }

        var (offer, error) = await WebRtcHttp.ReadOfferAsync(context);
        if (offer is null)
        {
            return error!;
        }

        WhepNegotiation negotiation;
        try
        {
            // A WHIP publisher's own RTP goes straight to the viewer when the viewer takes its codecs; else the hub's.
            negotiation = transport.FindPublisher(livestreamId) is { } source && WhepNegotiation.ChooseForwarded(offer, source) is { } forwarded
                ? forwarded
                : WhepNegotiation.Choose(offer, stream);
        }
        catch (SdpException ex)
        {
            return ApiResults.Error(422, ex.Message);
        }

        var session = new WhepSession(transport, offer, negotiation, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", stream, opus, loggers.CreateLogger<WhepSession>());
        return WebRtcHttp.Answer(context, transport, session, negotiation.Media, $"/{livestreamId}/whep/{session.Id}");
    }
}
