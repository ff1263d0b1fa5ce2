using Microsoft.AspNetCore.Authentication;

namespace Stagecast.Server.Features.Accounts;

public static class AccountsFeature
{
    /// <summary>Accounts, API tokens and their authentication scheme.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IAccountStore, SqlAccountStore>();
        services.AddSingleton<AccountService>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ApiTokenAuthenticationHandler.Policy, policy => policy
            .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser());
        return services;
    }
}
