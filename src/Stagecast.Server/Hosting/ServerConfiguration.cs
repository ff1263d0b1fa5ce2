namespace Stagecast.Server.Hosting;

/// <summary>Settings sources in order of precedence (last wins): defaults, appsettings, then the command line's values (STAGECAST_* variables, flags).</summary>
public static class ServerConfiguration
{
    public static void AddSources(IConfigurationBuilder configuration, Dictionary<string, string?> values) =>
        configuration.AddInMemoryCollection(values);

    public static ServerOptions ReadServerOptions(Dictionary<string, string?> values) =>
        ReadServerOptions(new ConfigurationBuilder().AddInMemoryCollection(values).Build());

    /// <summary>Listener and storage settings are needed before the host exists, so they are validated here, up front.</summary>
    public static ServerOptions ReadServerOptions(IConfiguration configuration)
    {
        ServerOptions server;
        try
        {
            server = configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions();
        }
        catch (InvalidOperationException ex)
        {
            throw new StartupException($"invalid setting: {ex.InnerException?.Message ?? ex.Message}");
        }

        var result = new ServerOptionsValidator().Validate(null, server);
        if (result.Failed)
        {
            throw StartupException.From(result.Failures!);
        }

        return server;
    }
}
