using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// A bearer scheme whose refusals are the API's: 401 with <c>WWW-Authenticate: Bearer</c> and the error envelope,
/// its message the reason authentication failed.
/// </summary>
public abstract class BearerAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiResults.WriteErrorAsync(Context, StatusCodes.Status401Unauthorized, result.Failure?.Message ?? "a bearer token is required").ConfigureAwait(false);
    }
}
