using Stagecast.Server.Accounts;
using Stagecast.Server.Persistence;

namespace Stagecast.Server.Api;

/// <summary>
/// Every API route names an account and an app. A missing or invalid bearer token is 401; a valid token of
/// another account, or an app the account does not have, is 404 so existence is not revealed.
/// </summary>
public static class ApiAuthentication
{
    private const string AppItem = "stagecast.app";

    /// <summary>The app the request was authorised for.</summary>
    public static App App(this HttpContext context) => (App)context.Items[AppItem]!;

    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        string accountId = context.GetRouteValue("account_id") as string ?? "";
        string appId = context.GetRouteValue("app_id") as string ?? "";
        var cancellation = context.RequestAborted;

        string? bearer = BearerToken(context.Request.Headers.Authorization.ToString());
        var accounts = context.RequestServices.GetRequiredService<AccountService>();
        var token = bearer is null ? null : await accounts.AuthenticateAsync(bearer, cancellation).ConfigureAwait(false);
        if (token is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ApiResults.Error(StatusCodes.Status401Unauthorized,
                bearer is null ? "missing API token: send Authorization: Bearer <token>" : "invalid or revoked API token");
        }

        var store = context.RequestServices.GetRequiredService<IAccountStore>();
        var app = token.AccountId == accountId ? await store.FindAppAsync(accountId, appId, cancellation).ConfigureAwait(false) : null;
        if (app is null)
        {
            return ApiResults.Error(StatusCodes.Status404NotFound, $"No app found with id {appId} in account {accountId}");
        }

        context.Items[AppItem] = app;
        try
        {
            return await next(invocation).ConfigureAwait(false);
        }
        catch (ApiException ex)
        {
            return ApiResults.Error(ex.Status, ex.Message);
        }
        catch (BadHttpRequestException ex)
        {
            // Bad input (an oversized or broken body) is the client's error: answered, not logged as a failure.
            return ApiResults.Error(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? $"request body larger than {ApiEndpoints.MaxRequestBodyBytes} bytes"
                : $"BAD_REQUEST: {ex.Message}");
        }
    }

    private static string? BearerToken(string header) =>
        header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
}
