using System.Text;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whip;

namespace Stagecast.Server.Features.WebRtc;

/// <summary>
/// WHIP (RFC 9725): <c>POST /{livestream_id}/whip</c> with the stream key as bearer token and an SDP offer creates a
/// session and answers 201 with the SDP answer, its resource URL in Location and an ETag; DELETE on that URL ends it;
/// PATCH (trickle ICE) is accepted and changes nothing since Stagecast is ICE-lite; OPTIONS answers CORS preflights.
/// </summary>
public static class WhipEndpoints
{
    public static IEndpointRouteBuilder MapWhip(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/{livestreamId}/whip").ExcludeFromDescription();
        group.MapPost("", PublishAsync);
        group.MapMethods("", ["OPTIONS"], Preflight);
        group.MapMethods("/{sessionId}", ["OPTIONS"], Preflight);
        group.MapDelete("/{sessionId}", (HttpContext context, WebRtcTransport transport, string livestreamId, string sessionId) =>
        {
            WebRtcHttp.AllowCors(context);
            if (transport.Find(sessionId) is not WhipSession session || session.StreamId != livestreamId)
            {
                return ApiResults.Error(404, "no WHIP session with this id");
            }

            session.Unpublish();
            return Results.Ok();
        });
        group.MapPatch("/{sessionId}", (HttpContext context, WebRtcTransport transport, string livestreamId, string sessionId) =>
            WebRtcHttp.Trickle(context, transport.Find(sessionId) is WhipSession { } session && session.StreamId == livestreamId ? session : null));
        return endpoints;
    }

    private static IResult Preflight(HttpContext context)
    {
        WebRtcHttp.AllowCors(context);
        context.Response.Headers["Accept-Post"] = "application/sdp";
        return Results.NoContent();
    }

    private static async Task<IResult> PublishAsync(HttpContext context, string livestreamId, WebRtcTransport transport, IPublishAuthorizer authorizer, StreamHub hub, ILoggerFactory loggers)
    {
        WebRtcHttp.AllowCors(context);
        string clientAddress = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (BearerToken.From(context.Request) is not { } key)
        {
            return ApiResults.Error(401, "WHIP needs the livestream's stream key as a bearer token (Authorization: Bearer <stream_key>)");
        }

        var authorization = await authorizer.AuthorizeAsync("whip", key, new PublisherInfo("webrtc", clientAddress), context.RequestAborted);
        if (!authorization.IsAllowed || authorization.StreamId != livestreamId)
        {
            return ApiResults.Error(authorization.IsAllowed ? 403 : 401, authorization.IsAllowed
                ? "this stream key belongs to another livestream"
                : $"publish refused: {authorization.Reason}");
        }

        if (hub.Find(livestreamId) is { Publisher: { } current } && !current.Revoked.IsCancellationRequested)
        {
            return ApiResults.Error(409, "the livestream is already being published; end that session first");
        }

        var (offer, error) = await WebRtcHttp.ReadOfferAsync(context);
        if (offer is null)
        {
            return error!;
        }

        WhipNegotiation negotiation;
        try
        {
            negotiation = WhipNegotiation.Choose(offer);
        }
        catch (SdpException ex)
        {
            return ApiResults.Error(400, ex.Message);
        }

        var session = new WhipSession(transport, offer, negotiation, clientAddress, hub, livestreamId, loggers.CreateLogger<WhipSession>());
        if (!transport.TryRegister(session))
        {
            session.Dispose();
            context.Response.Headers.RetryAfter = "10";
            return ApiResults.Error(503, "too many WebRTC sessions (from this address or in total); try again later");
        }

        string answer = SdpAnswer.Build(session.Ice, transport.Certificate.Fingerprint, transport.Candidates(context.Connection.LocalIpAddress), negotiation.Media, "stagecast");
        context.Response.Headers.ETag = session.ETag;
        context.Response.Headers.Location = $"/{livestreamId}/whip/{session.Id}";
        return Results.Text(answer, "application/sdp", Encoding.UTF8, StatusCodes.Status201Created);
    }
}
