using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Accounts;

/// <summary>An account route answers only to that account's tokens; any other is 404, so existence is not revealed.</summary>
public sealed class AccountResolutionFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        string accountId = http.GetRouteValue("account_id") as string ?? "";
        return http.AccountId() == accountId
            ? next(context)
            : throw ApiException.NotFound($"No account found with id {accountId}");
    }
}

public static class AccountHttpContextExtensions
{
    /// <summary>The account of the API token that authenticated the request.</summary>
    public static string AccountId(this HttpContext context) =>
        context.User.FindFirst(ApiTokenAuthenticationHandler.AccountClaim)?.Value ?? throw new InvalidOperationException("not authenticated with an API token");
}
