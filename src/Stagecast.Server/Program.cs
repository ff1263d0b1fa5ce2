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
    Console.Error.WriteLine($"stagecast: {(ex is OptionsValidationException invalid ? StartupException.From(invalid.Failures).Message : ex.Message)}");
    return CommandLine.UsageExitCode;
}

static async Task<int> RunServerAsync(Dictionary<string, string?> settings, CancellationToken cancellationToken)
{
    var app = StagecastApp.Build(settings);
    var server = app.Services.GetRequiredService<IOptions<ServerOptions>>().Value;
    var webRtc = app.Services.GetRequiredService<IOptions<Stagecast.WebRtc.Transport.WebRtcOptions>>().Value;
    var https = app.Services.GetRequiredService<IOptions<Stagecast.Server.Hosting.Tls.HttpsOptions>>().Value;
    var dataDirectory = app.Services.GetRequiredService<DataDirectorySnapshot>();
    try
    {
        await app.RunAsync();
        return 0;
    }
    catch (Exception ex) when (ex is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.InnerException is AddressInUseException)
    {
        // Told after the ports this start did bind are released, so only other programs' ports show as busy. A start
        // that failed is not stopped by the host: the work its services began (a retention sweep's first pass on the
        // database) is stopped and waited for here, or it could write the database again after its files are removed.
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await app.StopAsync(stopping.Token);
        }
        catch (Exception stop) when (stop is OperationCanceledException or AggregateException)
        {
            // A service that does not stop within the time: the busy port is still what the operator needs to hear.
        }
    }
    finally
    {
        await app.DisposeAsync();
    }

    dataDirectory.RemoveWhatWasAdded(); // a start that did not listen leaves no trace: the next one is still the first
    Console.Error.WriteLine($"stagecast: cannot listen: {BusyPorts.Describe(server, https, webRtc)}");
    return CommandLine.UsageExitCode;
}
