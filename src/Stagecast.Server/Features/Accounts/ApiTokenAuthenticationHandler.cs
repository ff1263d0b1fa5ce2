using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;

namespace Stagecast.Server.Features.Accounts;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;API token&gt;</c>: the principal carries the token's account. A missing or
/// invalid token is a 401 in the error envelope. Participant tokens are never accepted here.
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccountService accounts,
    [FromKeyedServices(FailedAttemptThrottle.ApiTokens)] FailedAttemptThrottle throttle,
    TimeProvider time) : BearerAuthenticationHandler(options, logger, encoder)
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
            // An address that keeps offering bad tokens is slowed down and told to wait; valid tokens still pass.
            if (throttle.RecordFailure(Context.Connection.RemoteIpAddress?.ToString() ?? "unknown") is { } wait)
            {
                await Task.Delay(FailedAttemptThrottle.Tarpit, time, Context.RequestAborted).ConfigureAwait(false);
                Context.Items[RetryAfterItem] = wait;
            }

            return AuthenticateResult.Fail("invalid or revoked API token");
        }

        var identity = new ClaimsIdentity([new Claim(AccountClaim, token.AccountId), new Claim("token_id", token.Id)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}
