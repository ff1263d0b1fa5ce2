using System.Globalization;
using System.Security.Claims;
using Stagecast.Server.Features.Participants;

namespace Stagecast.Server.Features.MeetingSockets;

/// <summary>What a socket's participant token said: whose it is, its account, which token it was, and until when it is good.</summary>
public sealed record ParticipantCredential(string ParticipantId, string AccountId, string TokenId, DateTimeOffset ExpiresAt)
{
    /// <summary>The credential of a request the participant scheme authenticated.</summary>
    public static ParticipantCredential Of(ClaimsPrincipal user) => new(
        user.FindFirstValue(ParticipantAuthenticationHandler.ParticipantClaim)!,
        user.FindFirstValue(ParticipantAuthenticationHandler.AccountClaim)!,
        user.FindFirstValue(ParticipantAuthenticationHandler.TokenIdClaim)!,
        DateTimeOffset.FromUnixTimeSeconds(long.Parse(user.FindFirstValue(ParticipantAuthenticationHandler.ExpiresClaim)!, CultureInfo.InvariantCulture)));
}
