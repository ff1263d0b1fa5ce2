using Stagecast.Server.Hosting.Database;

namespace Stagecast.Server.Hosting;

public static class HostingServices
{
    /// <summary>What every feature shares: settings, the clock, the database, listeners and public URLs.</summary>
    public static IServiceCollection AddHosting(this IServiceCollection services, IConfiguration configuration, ServerOptions server)
    {
        services.AddOptions<ServerOptions>().Bind(configuration.GetSection(ServerOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ServerReadiness>();
        services.AddSingleton<ListeningEndpoints>();
        services.AddSingleton<PublicUrls>();
        services.AddSingleton(_ =>
        {
            Directory.CreateDirectory(server.DataDir);
            return new SqliteDatabase(server.DatabasePath);
        });
        services.AddHostedService<DatabaseStartup>();
        return services;
    }
}
