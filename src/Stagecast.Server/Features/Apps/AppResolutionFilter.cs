using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Apps;

/// <summary>
/// Every app route names an account and an app: a token of another account, or an app the account does not have,
/// is 404 so existence is not revealed. The app found is what the handlers work in.
/// </summary>
public sealed class AppResolutionFilter(IAppStore store) : IEndpointFilter
{
    private const string AppItem = "stagecast.app";

    public static App AppOf(HttpContext context) => (App)context.Items[AppItem]!;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        string accountId = http.GetRouteValue("account_id") as string ?? "";
        string appId = http.GetRouteValue("app_id") as string ?? "";
        var app = http.AccountId() == accountId ? await store.FindAsync(accountId, appId, http.RequestAborted).ConfigureAwait(false) : null;
        http.Items[AppItem] = app ?? throw ApiException.NotFound($"No app found with id {appId} in account {accountId}");
        return await next(context).ConfigureAwait(false);
    }
}

public static class AppHttpContextExtensions
{
    /// <summary>The app the request was authorised for.</summary>
    public static App App(this HttpContext context) => AppResolutionFilter.AppOf(context);
}
