using Microsoft.AspNetCore.Authentication;
using Stagecast.Server.Hosting;
using Stagecast.Server.Hosting.Api;
using Stagecast.Server.Hosting.Security;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Features.Participants;

public static class ParticipantsFeature
{
    /// <summary>Participants, their ES256 tokens (key in the data directory) and the participant authentication scheme.</summary>
    public static IServiceCollection AddParticipants(this IServiceCollection services, IConfiguration configuration, ServerOptions server)
    {
        services.AddApiJson(ParticipantsApiJsonContext.Default);
        services.AddOptions<ParticipantOptions>().Bind(configuration.GetSection("Stagecast:Participants")).ValidateWith<ParticipantOptions, ParticipantOptionsValidator>().ValidateOnStart();
        services.AddSingleton<IParticipantStore, SqlParticipantStore>();
        services.AddSingleton(sp =>
        {
            sp.GetRequiredService<DataDirectoryLock>();
            return new ParticipantTokens(ParticipantTokens.LoadOrCreateKey(sp.GetRequiredService<SecretStore>()), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<ParticipantService>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ParticipantAuthenticationHandler>(ParticipantAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ParticipantAuthenticationHandler.Policy, policy => policy
            .AddAuthenticationSchemes(ParticipantAuthenticationHandler.SchemeName)
            .RequireAuthenticatedUser());
        return services;
    }
}
