using Microsoft.Extensions.Options;
using Stagecast.Server;
using Stagecast.Server.Features.Accounts;
using Stagecast.Server.Hosting;

try
{
    if (args.Length > 0 && OperatorCommands.Nouns.Contains(args[0]))
    {
        var configuration = new ConfigurationBuilder();
        ServerConfiguration.AddSources(configuration, args);
        return await OperatorCommands.RunAsync(args, ServerConfiguration.ReadServerOptions(configuration.Build()), Console.Out, Console.Error);
    }

    var app = StagecastApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex is StartupException or OptionsValidationException)
{
    Console.Error.WriteLine($"stagecast: {ex.Message}");
    return 2;
}
catch (IOException ex) when (ex.InnerException is System.Net.Sockets.SocketException)
{
    Console.Error.WriteLine($"stagecast: cannot listen: {ex.Message}");
    return 2;
}
