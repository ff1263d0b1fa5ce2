using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Hosting.Api;

/// <summary>
/// A bearer scheme whose refusals are the API's: 401 with <c>WWW-Authenticate: Bearer</c> and the error envelope,
/// its message the reason authentication failed. A refused credential (<see cref="RefuseAsync"/>) is counted against
/// the client's address in the shared <see cref="FailedAttemptThrottle"/> (API and participant tokens alike): past
/// its budget the refusal is slowed and becomes a 429 with <c>Retry-After</c>. Refusals are logged through the
/// rate-limited <see cref="RefusalLog"/> only; the framework's own lines for every unauthenticated request are off.
/// </summary>
public abstract class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    UrlEncoder encoder,
    FailedAttemptThrottle throttle,
    RefusalLog refusals,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, NullLoggerFactory.Instance, encoder)
{
    /// <summary>Set (to a TimeSpan) by a handler whose client should wait: the challenge becomes 429 with Retry-After.</summary>
    public const string RetryAfterItem = "stagecast.retry-after";

    /// <summary>Refuses a credential that was offered: counted, logged (rate-limited) and, past the budget, slowed.</summary>
    protected async Task<AuthenticateResult> RefuseAsync(string what, string reason)
    {
        string address = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        refusals.Refused(what, address, reason);
        if (throttle.RecordFailure(address) is { } wait)
        {
            await Task.Delay(FailedAttemptThrottle.Tarpit, time, Context.RequestAborted).ConfigureAwait(false);
            Context.Items[RetryAfterItem] = wait;
        }

        return AuthenticateResult.Fail(reason);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync().ConfigureAwait(false);
        if (Context.Items.TryGetValue(RetryAfterItem, out var item) && item is TimeSpan wait)
        {
            int seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ApiResults.WriteErrorAsync(Context, StatusCodes.Status429TooManyRequests,
                $"too many refused tokens from this address; retry after {seconds} s").ConfigureAwait(false);
            return;
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiResults.WriteErrorAsync(Context, StatusCodes.Status401Unauthorized, result.Failure?.Message ?? "a bearer token is required").ConfigureAwait(false);
    }
}
