using System.Security.Claims;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Stagecast.Server.Features.Participants;

namespace Stagecast.Server.Features.WebRtcServer;

/// <summary>
/// <c>GET /iceservers</c> (RealtimeKit's path), with a participant token: the STUN and TURN servers its browser should
/// use, with credentials for this participant. Answered to any origin (a bearer token, no cookies).
/// </summary>
public static class IceServersApi
{
    public const string Path = "/iceservers";

    /// <summary>Any origin, with whatever headers the page's client adds (RealtimeKit's sends tracing headers).</summary>
    public const string CorsPolicy = "iceservers";

    public static void AddCorsPolicy(Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions options) =>
        options.AddPolicy(CorsPolicy, policy => policy.AllowAnyOrigin().WithMethods(HttpMethods.Get).AllowAnyHeader());

    public static IEndpointRouteBuilder MapIceServers(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Path, (HttpContext context, IceServers servers) =>
                TypedResults.Ok(new IceServersResponse(true, servers.For(context.User.FindFirstValue(ParticipantAuthenticationHandler.ParticipantClaim)!))))
            .RequireAuthorization(ParticipantAuthenticationHandler.Policy)
            .RequireCors(CorsPolicy)
            .WithTags("WebRTC")
            .WithSummary("STUN and TURN servers for a participant, with credentials that expire (participant token)");
        return endpoints;
    }
}

/// <summary>RealtimeKit's shape: <c>{"success": true, "iceServers": [...]}</c>, not the API's <c>data</c> envelope.</summary>
public sealed record IceServersResponse(bool Success, [property: JsonPropertyName("iceServers")] IReadOnlyList<IceServer> IceServers);
