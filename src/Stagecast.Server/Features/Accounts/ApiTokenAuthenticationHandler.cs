using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Accounts;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;API token&gt;</c>: the principal carries the token's account. A missing or
/// invalid token is a 401 in the error envelope. Participant tokens are never accepted here.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    UrlEncoder encoder,
    AccountService accounts,
    [FromKeyedServices(FailedAttemptThrottle.Tokens)] FailedAttemptThrottle throttle,
    RefusalLog refusals,
    TimeProvider time) : BearerAuthenticationHandler(options, encoder, throttle, refusals, time)
{
    public const string SchemeName = "ApiToken";
    public const string Policy = "ApiToken";
    public const string AccountClaim = "account_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (BearerToken.From(Request) is not { } bearer)
        {
            return AuthenticateResult.Fail("missing API token: send Authorization: Bearer <token>");
        }

        if (await accounts.AuthenticateAsync(bearer, Context.RequestAborted).ConfigureAwait(false) is not { } token)
        {
            return await RefuseAsync("an API token", "invalid or revoked API token").ConfigureAwait(false);
        }

        var identity = new ClaimsIdentity([new Claim(AccountClaim, token.AccountId), new Claim("token_id", token.Id)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
