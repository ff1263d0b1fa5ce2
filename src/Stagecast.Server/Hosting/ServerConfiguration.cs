using System.ComponentModel.DataAnnotations;

namespace Stagecast.Server.Hosting;

/// <summary>Settings sources in order of precedence (last wins): defaults, appsettings, STAGECAST_* variables, flags.</summary>
public static class ServerConfiguration
{
    public static void AddSources(IConfigurationBuilder configuration, string[] args) =>
        configuration
            .AddInMemoryCollection(CommandLine.FromEnvironment(Environment.GetEnvironmentVariable))
            .AddCommandLine(CommandLine.ExpandBooleanFlags(args), CommandLine.SwitchMappings());

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

        var errors = new List<ValidationResult>();
        if (!Validator.TryValidateObject(server, new ValidationContext(server), errors, validateAllProperties: true))
        {
            throw new StartupException(string.Join("; ", errors.Select(e => e.ErrorMessage)));
        }

        return server;
    }
}
