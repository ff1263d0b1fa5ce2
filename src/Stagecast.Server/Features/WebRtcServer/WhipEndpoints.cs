using Stagecast.FfmpegProcesses;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;
using Stagecast.WebRtc.Whip;

namespace Stagecast.Server.Features.WebRtcServer;

/// <summary>
/// WHIP (RFC 9725): <c>POST /{livestream_id}/whip</c> with the stream key as bearer token and an SDP offer creates a
/// session and answers 201 with the SDP answer, its resource URL in Location and an ETag; DELETE on that URL ends it;
/// PATCH (trickle ICE) is accepted and changes nothing since Stagecast is ICE-lite; OPTIONS answers CORS preflights.
/// </summary>
public static class WhipEndpoints
{
    public static IEndpointRouteBuilder MapWhip(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGroup("/{livestreamId}/whip").ExcludeFromDescription()
            .MapSessionResource<WhipSession>("WHIP", "livestreamId", session => session.StreamId, session => session.Unpublish())
            .MapPost("", PublishAsync);
        return endpoints;
    }

    private static async Task<IResult> PublishAsync(HttpContext context, string livestreamId, WebRtcTransport transport, IPublishAuthorizer authorizer, StreamHub hub,
        FfmpegLauncher ffmpeg, IceServers iceServers, ILoggerFactory loggers)
    {
        string clientAddress = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (BearerToken.From(context.Request) is not { } key)
        {
            return ApiResults.Error(401, "WHIP needs the livestream's stream key as a bearer token (Authorization: Bearer <stream_key>)");
        }

        var authorization = await authorizer.AuthorizeAsync("whip", key, new PublisherInfo("webrtc", clientAddress, KeyOverTls: context.Request.IsHttps), context.RequestAborted);
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

        PublishNegotiation negotiation;
        try
        {
            negotiation = PublishNegotiation.Choose(offer);
        }
        catch (SdpException ex)
        {
            return ApiResults.Error(400, ex.Message);
        }

        var session = new WhipSession(transport, offer, negotiation, clientAddress, hub, livestreamId, ffmpeg, loggers.CreateLogger<WhipSession>());
        return WebRtcHttp.Answer(context, transport, session, negotiation.Media, $"/{livestreamId}/whip/{session.Id}", iceServers.For(livestreamId));
    }
}
