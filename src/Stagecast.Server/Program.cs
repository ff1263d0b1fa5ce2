using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Stagecast.Server;
using Stagecast.Server.Hosting;

try
{
    return await CommandLine.RunAsync(args, RunServerAsync, Console.Out, Console.Error);
}
catch (Exception ex) when (ex is StartupException or OptionsValidationException)
{
    Console.Error.WriteLine($"stagecast: {ex.Message}");
    return CommandLine.UsageExitCode;
}

static async Task<int> RunServerAsync(Dictionary<string, string?> settings, CancellationToken cancellationToken)
{
    await using var app = StagecastApp.Build(settings);
    var server = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
    var webRtc = app.Services.GetRequiredService<IOptions<Stagecast.WebRtc.Transport.WebRtcOptions>>().Value;
    try
    {
        await app.RunAsync();
        return 0;
    }
    catch (Exception ex) when (ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.InnerException is AddressInUseException)
    {
        Console.Error.WriteLine($"stagecast: cannot listen: {ex.Message.TrimEnd('.')} (--http-port {server.HttpPort}, --rtmp-port {server.RtmpPort}, --webrtc-port {webRtc.Port}); "
            + "another program holds the port: stop it or choose another");
        return CommandLine.UsageExitCode;
    }
}
