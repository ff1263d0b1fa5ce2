using System.Globalization;
using System.Security.Claims;
using Stagecast.Server.Features.Participants;

namespace Stagecast.Server.Features.MeetingSockets;

/// <summary>
/// What a socket's participant token said: whose it is, its account, which token it was, until when it is good, and
/// (a person moved here from another meeting of its group) until when it enters without waiting.
/// </summary>
public sealed record ParticipantCredential(string ParticipantId, string AccountId, string TokenId, DateTimeOffset ExpiresAt, DateTimeOffset? MovedUntil = null)
{
    /// <summary>The credential of a request the participant scheme authenticated.</summary>
    public static ParticipantCredential Of(ClaimsPrincipal user) => new(
        user.FindFirstValue(ParticipantAuthenticationHandler.ParticipantClaim)!,
        user.FindFirstValue(ParticipantAuthenticationHandler.AccountClaim)!,
        user.FindFirstValue(ParticipantAuthenticationHandler.TokenIdClaim)!,
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(user.FindFirstValue(ParticipantAuthenticationHandler.ExpiresClaim)!, CultureInfo.InvariantCulture)),
        user.FindFirstValue(ParticipantAuthenticationHandler.MovedUntilClaim) is { } moved
            ? DateTimeOffset.FromUnixTimeSeconds(long.Parse(moved, CultureInfo.InvariantCulture))
            : null);
}
