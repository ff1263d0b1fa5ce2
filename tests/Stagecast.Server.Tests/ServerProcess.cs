using System.Net;
using System.Net.Sockets;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>The server run as an operator runs it: `dotnet Stagecast.Server.dll …` in a separate process.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private ServerProcess(ExternalProcess process, int httpPort, int rtmpPort, int metricsPort, string dataDir)
    {
        Process = process;
        HttpPort = httpPort;
        RtmpPort = rtmpPort;
        MetricsPort = metricsPort;
        DataDir = dataDir;
    }

    public ExternalProcess Process { get; }

    public int HttpPort { get; }

    public int RtmpPort { get; }

    /// <summary>The metrics listener's port (never the public HTTP port).</summary>
    public int MetricsPort { get; }

    public string DataDir { get; }

    public string HttpBase => $"http://127.0.0.1:{HttpPort}";

    public string Output => Process.StandardOutput + Process.StandardError;

    public static string ServerDll
    {
        get
        {
            // The server project is built next to this test project, in the same configuration.
            string configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            return Path.Combine(Browser.RepositoryRoot(), "src", "Stagecast.Server", "bin", configuration, "net10.0", "Stagecast.Server.dll");
        }
    }

    /// <summary>Starts the server on free ports and waits for /healthz.</summary>
    public static Task<ServerProcess> StartAsync(string? dataDir = null, Dictionary<string, string>? environment = null, params string[] arguments) =>
        LaunchAsync("dotnet", [ServerDll], dataDir, environment, arguments);

    /// <summary>Starts the server from <paramref name="workingDirectory"/>, as an operator who runs it from a folder (a relative <c>--data-dir</c> is relative to it).</summary>
    public static Task<ServerProcess> StartInAsync(string workingDirectory, string dataDir, Dictionary<string, string>? environment = null) =>
        LaunchAsync("dotnet", [ServerDll], dataDir, environment, [], workingDirectory);

    /// <summary>Starts a built binary (the release) the same way.</summary>
    public static Task<ServerProcess> StartBinaryAsync(string binary, Dictionary<string, string>? environment = null, params string[] arguments) =>
        LaunchAsync(binary, [], null, environment, arguments);

    /// <summary>Starts a built binary again on the data directory of an earlier run, as an installed server restarts.</summary>
    public static Task<ServerProcess> RestartBinaryAsync(string binary, string dataDir, params string[] arguments) => LaunchAsync(binary, [], dataDir, null, arguments);

    private static async Task<ServerProcess> LaunchAsync(string fileName, string[] prefix, string? dataDir, Dictionary<string, string>? environment, string[] arguments,
        string? workingDirectory = null)
    {
        dataDir ??= Directory.CreateTempSubdirectory("stagecast-process-").FullName;
        int http = FreePorts.Next();
        int rtmp = FreePorts.Next();
        int metrics = FreePorts.Next();
        var process = ExternalProcess.Start(fileName,
            [.. prefix, "--bind", "127.0.0.1", "--data-dir", dataDir, "--http-port", http.ToString(), "--rtmp-port", rtmp.ToString(), "--webrtc-port", "0", "--srt-port", "0",
             "--metrics-bind", $"127.0.0.1:{metrics}", .. arguments],
            environment, workingDirectory);
        var server = new ServerProcess(process, http, rtmp, metrics, dataDir);
        await server.WaitForHealthAsync();
        return server;
    }

    /// <summary>Runs an operator command (tokens, apps, accounts) on a data directory.</summary>
    public static Task<(int ExitCode, string Output, string Error)> CommandAsync(string dataDir, params string[] arguments) =>
        ExternalProcess.RunAsync("dotnet", [ServerDll, .. arguments, "--data-dir", dataDir], TimeSpan.FromSeconds(60));

    public async Task WaitForHealthAsync()
    {
        using var http = new HttpClient();
        await Eventually.TrueAsync(async () => Process.HasExited
            ? throw new InvalidOperationException($"server exited: {await ExitedOutputAsync()}")
            : (await http.GetAsync($"{HttpBase}/healthz")).StatusCode == HttpStatusCode.OK, "the server to become healthy",
            TimeSpan.FromSeconds(90)); // a process's start (its JIT, a cluster node's PostgreSQL and Redis) took over 30 s beside the long lane's browsers
    }

    /// <summary>What an exited server wrote, once the readers have drained it (it can exit before they read its last words).</summary>
    private async Task<string> ExitedOutputAsync()
    {
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        return Output;
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
