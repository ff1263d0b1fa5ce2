using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Participants;

/// <summary>
/// Authenticates a participant token, from <c>?token=</c> or <c>?authToken=</c> (browsers cannot set headers on a WebSocket) or
/// <c>Authorization: Bearer</c>: signature and expiry first, then the participant must still exist and the token be
/// its current one. API tokens are never accepted here.
/// </summary>
public sealed class ParticipantAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    UrlEncoder encoder,
    ParticipantTokens tokens,
    IParticipantStore participants,
    [FromKeyedServices(FailedAttemptThrottle.Tokens)] FailedAttemptThrottle throttle,
    RefusalLog refusals,
    TimeProvider time) : BearerAuthenticationHandler(options, encoder, throttle, refusals, time)
{
    public const string SchemeName = "Participant";
    public const string Policy = "Participant";
    public const string ParticipantClaim = "participant_id";
    public const string MeetingClaim = "meeting_id";
    public const string AppClaim = "app_id";
    public const string AccountClaim = "account_id";
    public const string TokenIdClaim = "token_id";

    /// <summary>The token's <c>exp</c>, Unix seconds: sockets opened with it close then.</summary>
    public const string ExpiresClaim = "expires";

    /// <summary>The token's <c>moved_until</c>, Unix seconds, when it has one: a moved person enters without waiting until then.</summary>
    public const string MovedUntilClaim = "moved_until";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (ParticipantTokens.Of(Request) is not { } token)
        {
            return AuthenticateResult.Fail("missing participant token: send ?token=<token> or Authorization: Bearer <token>");
        }

        if (tokens.Validate(token) is not { } claims)
        {
            return await RefuseAsync("a participant token", "invalid or expired participant token").ConfigureAwait(false);
        }

        var participant = await participants.FindAsync(claims.ParticipantId, Context.RequestAborted).ConfigureAwait(false);
        if (participant is null || participant.TokenId != claims.TokenId || participant.MeetingId != claims.MeetingId)
        {
            return await RefuseAsync("a participant token", "this participant token was revoked").ConfigureAwait(false);
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ParticipantClaim, claims.ParticipantId),
            new Claim(MeetingClaim, claims.MeetingId),
            new Claim(AppClaim, claims.AppId),
            new Claim(AccountClaim, claims.OrgId),
            new Claim(TokenIdClaim, claims.TokenId),
            new Claim(ExpiresClaim, claims.ExpiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ], SchemeName);
        if (claims.MovedUntil is { } movedUntil)
        {
            identity.AddClaim(new Claim(MovedUntilClaim, movedUntil.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
