using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Accounts;

/// <summary>The API's routes of an account: authorised by an API token of that account, under both base paths.</summary>
public static class AccountApi
{
    /// <summary>Routes of an account: <c>{base}/…</c> (apps), answering only to its own tokens (<see cref="AccountResolutionFilter"/>).</summary>
    public static WebApplication MapAccountApi(this WebApplication app, Action<RouteGroupBuilder> map)
    {
        for (int i = 0; i < ApiRoutes.AccountBasePaths.Length; i++)
        {
            map(Group(app, ApiRoutes.AccountBasePaths[i], documented: i == 0).AddEndpointFilter<AccountResolutionFilter>());
        }

        return app;
    }

    /// <summary>An API group that an API token must authorise (<see cref="ApiRoutes.Group"/>, with the token policy).</summary>
    public static RouteGroupBuilder Group(WebApplication app, string prefix, bool documented) =>
        ApiRoutes.Group(app, prefix, documented).RequireAuthorization(ApiTokenAuthenticationHandler.Policy);
}
