using Microsoft.Extensions.Options;
using Stagecast.Server;
using Stagecast.Server.Hosting;

try
{
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
