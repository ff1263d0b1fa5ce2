using Microsoft.AspNetCore.Authentication;

namespace Stagecast.Server.Features.Accounts;

public static class AccountsFeature
{
    /// <summary>Accounts, API tokens and their authentication scheme, first-start bootstrap.</summary>
    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BootstrapOptions>().Bind(configuration.GetSection("Stagecast:Bootstrap"));
        services.AddSingleton<IAccountStore, SqliteAccountStore>();
        services.AddSingleton<AccountService>();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<Bootstrap>(sp, Console.Out));
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ApiTokenAuthenticationHandler.Policy, policy => policy
            .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser());
        return services;
    }
}
