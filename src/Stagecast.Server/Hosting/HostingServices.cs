using Stagecast.Server.Hosting.Database;
using Stagecast.Streaming.Limits;

namespace Stagecast.Server.Hosting;

public static class HostingServices
{
    /// <summary>What every feature shares: settings, the clock, the database, listeners and public URLs.</summary>
    public static IServiceCollection AddHosting(this IServiceCollection services, IConfiguration configuration, ServerOptions server)
    {
        services.AddOptions<ServerOptions>().Bind(configuration.GetSection(ServerOptions.Section)).ValidateWith<ServerOptions, ServerOptionsValidator>().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ServerReadiness>();
        services.AddSingleton<ListeningEndpoints>();
        services.AddOptions<Api.HttpConnectionOptions>().Bind(configuration.GetSection("Stagecast:Http")).ValidateWith<Api.HttpConnectionOptions, HttpConnectionOptionsValidator>().ValidateOnStart();
        services.AddSingleton<Api.HttpConnectionLimits>();
        services.AddSingleton<PublicUrls>();
        services.AddOptions<Tls.HttpsOptions>().Bind(configuration.GetSection(Tls.HttpsOptions.Section)).ValidateWith<Tls.HttpsOptions, HttpsOptionsValidator>().ValidateOnStart();
        services.AddSingleton<Tls.ServerCertificate>();
        services.AddHostedService(sp => sp.GetRequiredService<Tls.ServerCertificate>());
        services.AddSingleton<Security.DestinationPolicy>();
        services.AddSingleton<Security.RefusalLog>();
        // Nothing touches the data directory before its lock is held: the database is opened through it.
        services.AddSingleton(_ => DataDirectoryLock.Acquire(server.DataDir));
        services.AddSingleton(provider =>
        {
            provider.GetRequiredService<DataDirectoryLock>();
            return server.OpenDatabase();
        });
        services.AddSingleton(provider => Security.SecretStore.For(server, provider.GetRequiredService<SqlDatabase>()));
        services.AddSingleton<IHealthProbe, DatabaseProbe>();
        services.AddSingleton<DataDirectorySpace>();
        services.AddSingleton<IHealthProbe>(provider => provider.GetRequiredService<DataDirectorySpace>());
        services.AddHostedService<DatabaseStartup>();
        return services;
    }
}
