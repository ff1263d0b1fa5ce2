using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Apps;

/// <summary>The API's routes of one app, where most resources live: <c>{base}/{app_id}/…</c>.</summary>
public static class AppApi
{
    /// <summary>
    /// Routes of one app, authorised by an API token of the account that owns the app (<see cref="AppResolutionFilter"/>);
    /// anything else under an app's path is 404 or 405 with the error envelope.
    /// </summary>
    public static WebApplication MapAppApi(this WebApplication app, Action<RouteGroupBuilder> map)
    {
        for (int i = 0; i < ApiRoutes.AccountBasePaths.Length; i++)
        {
            string basePath = ApiRoutes.AccountBasePaths[i] + "/{app_id}";
            map(AccountApi.Group(app, basePath, documented: i == 0).AddEndpointFilter<AppResolutionFilter>());
            // A RequestDelegate, not a handler to bind: the request delegate generator would drop the pattern of
            // MapFallback(pattern, handler) and make every such fallback a catch-all of the whole server.
            app.MapFallback(basePath + "/{**path}", (RequestDelegate)(context => HttpErrors.NotFoundOrMethodNotAllowed(context).ExecuteAsync(context))).ExcludeFromDescription();
        }

        return app;
    }
}
