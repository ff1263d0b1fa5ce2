using System.Text;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Stagecast.Server.Hosting.Api;
using Stagecast.WebRtc.Sdp;
using Stagecast.WebRtc.Transport;

namespace Stagecast.Server.Features.WebRtcServer;

/// <summary>What WHIP and WHEP share over HTTP: the session resource's routes, CORS for browser pages on other origins, reading the offer, trickle PATCH.</summary>
public static class WebRtcHttp
{
    /// <summary>
    /// ASP.NET's CORS policy for WHIP and WHEP: any origin may publish (with the stream key) or play (public like the
    /// playback URL), and a page must read the session's Location and ETag.
    /// </summary>
    public const string CorsPolicy = "webrtc";

    public static void AddCorsPolicy(CorsOptions options) =>
        options.AddPolicy(CorsPolicy, policy => policy
            .AllowAnyOrigin()
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Patch, HttpMethods.Delete)
            .WithHeaders("Authorization", "Content-Type", "If-Match")
            .WithExposedHeaders("Location", "ETag", "Link", "Accept-Patch"));

    /// <summary>
    /// The routes of a WHIP or WHEP endpoint and its session resources under <paramref name="group"/> (e.g.
    /// <c>/{livestreamId}/whip</c>, whose route value <paramref name="ownerParameter"/> names what the sessions belong
    /// to): OPTIONS answers a WHIP client asking what it takes, DELETE ends a session and PATCH takes trickled candidates
    /// (RFC 9725 section 4.3), both on the session's unguessable URL. CORS preflights are answered by the platform's
    /// middleware. The caller maps the POST that creates a session on the group it gets back (its handler's request
    /// delegate is generated at compile time, as every endpoint's is).
    /// </summary>
    public static RouteGroupBuilder MapSessionResource<TSession>(
        this RouteGroupBuilder group, string kind, string ownerParameter, Func<TSession, string> ownerOf, Action<TSession> end)
        where TSession : WebRtcSession
    {
        TSession? Find(HttpContext context, WebRtcTransport transport, string sessionId) =>
            transport.Find(sessionId) is TSession session && ownerOf(session) == context.GetRouteValue(ownerParameter) as string ? session : null;

        group.RequireCors(CorsPolicy);
        group.MapMethods("", [HttpMethods.Options], Options);
        group.MapMethods("/{sessionId}", [HttpMethods.Options], Options);
        group.MapDelete("/{sessionId}", (HttpContext context, WebRtcTransport transport, string sessionId) =>
        {
            if (Find(context, transport, sessionId) is not { } session)
            {
                return ApiResults.Error(404, $"no {kind} session with this id");
            }

            end(session);
            return Results.Ok();
        });
        group.MapPatch("/{sessionId}", (HttpContext context, WebRtcTransport transport, string sessionId) =>
            Trickle(context, Find(context, transport, sessionId)));
        return group;
    }

    private static IResult Options(HttpContext context)
    {
        context.Response.Headers["Accept-Post"] = "application/sdp";
        return Results.NoContent();
    }

    /// <summary>
    /// Registers the session and answers 201 with the SDP answer, Location, ETag and the ICE servers it may use (STUN,
    /// and TURN with a credential when <paramref name="iceServers"/> has one, as Link headers); 503 when the limits are
    /// reached.
    /// </summary>
    public static IResult Answer(
        HttpContext context, WebRtcTransport transport, WebRtcSession session, IReadOnlyList<AnsweredMedia> media, string location, IReadOnlyList<IceServer> iceServers)
    {
        if (!transport.TryRegister(session))
        {
            session.Dispose();
            context.Response.Headers.RetryAfter = "10";
            return ApiResults.Error(503, "too many WebRTC sessions (from this address or in total); try again later");
        }

        string answer = session.Answer(media, context.Connection.LocalIpAddress);
        context.Response.Headers.ETag = $"\"{session.Id}\"";
        context.Response.Headers.Location = location;
        if (IceServers.LinkHeaders(iceServers).ToArray() is { Length: > 0 } links)
        {
            context.Response.Headers.Link = links;
        }
        return Results.Text(answer, "application/sdp", Encoding.UTF8, StatusCodes.Status201Created);
    }

    /// <summary>The request's SDP offer, or the error to answer: 415 for another content type, 413 when too large, 400 when malformed.</summary>
    public static async Task<(SdpSessionDescription? Offer, IResult? Error)> ReadOfferAsync(HttpContext context)
    {
        if (!IsContentType(context.Request, "application/sdp"))
        {
            return (null, ApiResults.Error(415, "the offer must be sent as Content-Type: application/sdp"));
        }

        if (context.Request.ContentLength > SdpSessionDescription.MaxLength)
        {
            return (null, ApiResults.Error(413, $"the offer is larger than {SdpSessionDescription.MaxLength} bytes"));
        }

        var buffer = new byte[SdpSessionDescription.MaxLength + 1];
        int length = 0;
        int read;
        while (length < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted)) > 0)
        {
            length += read;
        }

        if (length > SdpSessionDescription.MaxLength)
        {
            return (null, ApiResults.Error(413, $"the offer is larger than {SdpSessionDescription.MaxLength} bytes"));
        }

        try
        {
            string text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
            return (SdpSessionDescription.Parse(text), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, ApiResults.Error(400, "the offer is not valid UTF-8"));
        }
        catch (SdpException ex)
        {
            return (null, ApiResults.Error(400, $"the SDP offer cannot be answered: {ex.Message}"));
        }
    }

    /// <summary>
    /// PATCH with trickled candidates (RFC 9725 section 4.3.1): Stagecast is ICE-lite and learns the peer's address from
    /// its binding requests, so candidates change nothing; the session must exist and match If-Match when given.
    /// </summary>
    public static IResult Trickle(HttpContext context, WebRtcSession? session)
    {
        if (session is null)
        {
            return ApiResults.Error(404, "no WebRTC session with this id");
        }

        if (!IsContentType(context.Request, "application/trickle-ice-sdpfrag"))
        {
            return ApiResults.Error(415, "a PATCH must be Content-Type: application/trickle-ice-sdpfrag");
        }

        string? ifMatch = context.Request.Headers.IfMatch;
        if (ifMatch is not null && ifMatch != "*" && ifMatch != $"\"{session.Id}\"")
        {
            return ApiResults.Error(412, "If-Match does not match the session's ETag");
        }

        return Results.NoContent();
    }

    private static bool IsContentType(HttpRequest request, string expected) =>
        request.ContentType is { } type && type.Split(';')[0].Trim().Equals(expected, StringComparison.OrdinalIgnoreCase);
}
