using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Participants;

/// <summary>
/// Authenticates a participant token, from <c>?token=</c> (browsers cannot set headers on a WebSocket) or
/// <c>Authorization: Bearer</c>: signature and expiry first, then the participant must still exist and the token be
/// its current one. API tokens are never accepted here.
/// </summary>
public sealed class ParticipantAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ParticipantTokens tokens,
    IParticipantStore participants) : BearerAuthenticationHandler(options, logger, encoder)
{
    public const string SchemeName = "Participant";
    public const string Policy = "Participant";
    public const string ParticipantClaim = "participant_id";
    public const string MeetingClaim = "meeting_id";
    public const string AppClaim = "app_id";
    public const string AccountClaim = "account_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = Request.Query["token"].LastOrDefault() is { Length: > 0 } query ? query : BearerToken.From(Request);
        if (token is null)
        {
            return AuthenticateResult.Fail("missing participant token: send ?token=<token> or Authorization: Bearer <token>");
        }

        if (tokens.Validate(token) is not { } claims)
        {
            return AuthenticateResult.Fail("invalid or expired participant token");
        }

        var participant = await participants.FindAsync(claims.ParticipantId, Context.RequestAborted).ConfigureAwait(false);
        if (participant is null || participant.TokenId != claims.TokenId || participant.MeetingId != claims.MeetingId)
        {
            return AuthenticateResult.Fail("this participant token was revoked");
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ParticipantClaim, claims.ParticipantId),
            new Claim(MeetingClaim, claims.MeetingId),
            new Claim(AppClaim, claims.AppId),
            new Claim(AccountClaim, claims.OrgId),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
