using System.Globalization;

namespace Stagecast.Testing;

/// <summary>
/// A real TURN server (Debian's coturn) on a free loopback port, with <c>use-auth-secret</c> (the TURN REST API) and
/// loopback peers allowed (Stagecast listens on loopback in the tests); its log is verbose, so allocations show in it.
/// Stopped on dispose.
/// </summary>
public sealed class CoturnServer : IAsyncDisposable
{
    public const string Realm = "stagecast.test";
    private readonly ExternalProcess _process;
    private readonly string _directory;

    private CoturnServer(ExternalProcess process, string directory, int port, string secret)
    {
        _process = process;
        _directory = directory;
        Port = port;
        Secret = secret;
    }

    public int Port { get; }

    public string Secret { get; }

    public string Url => $"turn:127.0.0.1:{Port}";

    public string Log => _process.StandardOutput + _process.StandardError;

    /// <summary>
    /// Starts coturn on a free port with a new secret, or on <paramref name="port"/> with <paramref name="secret"/>: a
    /// TURN server come back after a crash, with none of the allocations the one before had.
    /// </summary>
    public static Task<CoturnServer> StartAsync(int? port = null, string? secret = null) => StartAsync(
    [
        "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--use-auth-secret", $"--realm={Realm}", "--allow-loopback-peers", "--fingerprint",
        "--no-cli", "--no-tls", "--no-dtls", "--no-tcp-relay", "--simple-log",
    ], port, secret);

    /// <summary>
    /// Starts coturn with the shipped deploy/coturn/turnserver.conf, as deploy/compose.yaml runs it: the secret and the
    /// one allowed peer (loopback here, where Stagecast listens in the tests) on its command line, and where it listens
    /// and relays (a free loopback port; relayed ports on 127.0.0.2, apart from other tests' coturns on 127.0.0.1).
    /// </summary>
    public static Task<CoturnServer> StartShippedAsync() => StartAsync(
    [
        "-c", Path.Combine(Browser.RepositoryRoot(), "deploy", "coturn", "turnserver.conf"), "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.2",
        "--allowed-peer-ip=127.0.0.1", "--allow-loopback-peers",
    ], null, null);

    private static async Task<CoturnServer> StartAsync(string[] arguments, int? port, string? secret)
    {
        port ??= FreePorts.Next();
        secret ??= Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        string directory = Directory.CreateTempSubdirectory("stagecast-coturn-").FullName;
        var process = ExternalProcess.Start("turnserver",
        [
            .. arguments, $"--listening-port={port.Value.ToString(CultureInfo.InvariantCulture)}", $"--static-auth-secret={secret}", "--log-file=stdout", "--verbose",
            $"--pidfile={Path.Combine(directory, "turnserver.pid")}", $"--userdb={Path.Combine(directory, "turndb")}",
        ]);
        var server = new CoturnServer(process, directory, port.Value, secret);
        try
        {
            // Its relay ports are set up after the listeners open; only then are allocations answered.
            await Eventually.TrueAsync(() => process.HasExited
                ? throw new InvalidOperationException($"turnserver exited: {server.Log}")
                : server.Log.Contains("Relay ports initialization done", StringComparison.Ordinal) && server.Log.Contains("Total General servers", StringComparison.Ordinal),
                "coturn to be ready");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Whether an allocation with these credentials succeeds.</summary>
    public Task<bool> AllocatesAsync(string username, string credential) =>
        TurnAllocation.AllocatesAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, Port), username, credential);

    /// <summary>An allocation for <paramref name="socket"/>'s address: 0 when allocated, else the error code.</summary>
    public Task<int> AllocateAsync(System.Net.Sockets.UdpClient socket, string username, string credential) =>
        TurnAllocation.AllocateAsync(socket, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, Port), username, credential);

    /// <summary>A relayed TCP port asked for over a TCP connection (RFC 6062 section 5.1): 0 when allocated, else the error code.</summary>
    public Task<int> AllocateTcpRelayAsync(string username, string credential) =>
        TurnAllocation.AllocateTcpRelayAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, Port), username, credential);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
