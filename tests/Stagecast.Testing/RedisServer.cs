using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Stagecast.Testing;

/// <summary>
/// A real Redis (Debian's redis-server) on a free loopback port, no persistence; stopped on dispose. Optionally with a
/// password (<c>requirepass</c>) and a TLS port beside the plain one (Debian builds redis-server with TLS).
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly ExternalProcess _process;
    private readonly string? _password;

    private RedisServer(ExternalProcess process, int port, int? tlsPort, string? password)
    {
        _process = process;
        Port = port;
        TlsPort = tlsPort;
        _password = password;
    }

    public int Port { get; }

    /// <summary>The TLS port, when started with a certificate.</summary>
    public int? TlsPort { get; }

    /// <summary>The URL a node is given: with the password when there is one.</summary>
    public string Url => $"redis://{(_password is null ? "" : ":" + Uri.EscapeDataString(_password) + "@")}127.0.0.1:{Port}";

    /// <summary>The TLS URL (rediss://), with the password when there is one.</summary>
    public string TlsUrl => $"rediss://{(_password is null ? "" : ":" + Uri.EscapeDataString(_password) + "@")}127.0.0.1:{TlsPort}";

    public static async Task<RedisServer> StartAsync(string? password = null, TestCertificate? tls = null)
    {
        int port = FreePorts.Next();
        int? tlsPort = tls is null ? null : FreePorts.Next();
        List<string> arguments = ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"];
        if (password is not null)
        {
            arguments.AddRange(["--requirepass", password]);
        }

        if (tls is not null)
        {
            arguments.AddRange(["--tls-port", tlsPort!.Value.ToString(CultureInfo.InvariantCulture), "--tls-cert-file", tls.CertificateFile,
                "--tls-key-file", tls.KeyFile, "--tls-auth-clients", "no"]);
        }

        var process = ExternalProcess.Start("redis-server", arguments);
        var server = new RedisServer(process, port, tlsPort, password);
        try
        {
            await Eventually.TrueAsync(async () => process.HasExited
                ? throw new InvalidOperationException($"redis-server exited: {process.StandardOutput}{process.StandardError}")
                : await server.CommandAsync("PING") == "+PONG", "redis-server to answer PING");
        }
        catch
        {
            await process.DisposeAsync(); // not left running when it never answered
            throw;
        }

        return server;
    }

    /// <summary>Sends one inline command (after AUTH when there is a password); returns the first line of the answer ("+PONG", ":3", "$5" ...).</summary>
    public async Task<string> CommandAsync(string command)
    {
        try
        {
            using var client = new TcpClient();
            using var reader = await OpenAsync(client, command);
            return await reader.ReadLineAsync() ?? "";
        }
        catch (SocketException)
        {
            return "";
        }
    }

    /// <summary>GET of a string key: its value, or null when it does not exist.</summary>
    public async Task<string?> GetAsync(string key)
    {
        using var client = new TcpClient();
        using var reader = await OpenAsync(client, $"GET {key}");
        string header = await reader.ReadLineAsync() ?? "";
        return header == "$-1" ? null : header.StartsWith('$') ? await reader.ReadLineAsync() : throw new InvalidOperationException($"GET {key}: {header}");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task<StreamReader> OpenAsync(TcpClient client, string command)
    {
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.UTF8);
        if (_password is not null)
        {
            int length = Encoding.UTF8.GetByteCount(_password);
            await stream.WriteAsync(Encoding.UTF8.GetBytes($"*2\r\n$4\r\nAUTH\r\n${length}\r\n{_password}\r\n")); // RESP: the password may hold spaces
            string auth = await reader.ReadLineAsync() ?? "";
            if (auth != "+OK")
            {
                throw new InvalidOperationException($"AUTH: {auth}");
            }
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"));
        return reader;
    }
}
