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
    /// <summary>Set (to a TimeSpan) by a handler whose client should wait: the challenge becomes 429 with Retry-After.</summary>
    public const string RetryAfterItem = "stagecast.retry-after";

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        if (Context.Items.TryGetValue(RetryAfterItem, out var item) && item is TimeSpan wait)
        {
            int seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ApiResults.WriteErrorAsync(Context, StatusCodes.Status429TooManyRequests,
                $"too many refused API tokens from this address; retry after {seconds} s").ConfigureAwait(false);
            return;
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiResults.WriteErrorAsync(Context, StatusCodes.Status401Unauthorized, result.Failure?.Message ?? "a bearer token is required").ConfigureAwait(false);
    }
}
