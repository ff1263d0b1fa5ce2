using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Stagecast.Testing;

/// <summary>A real Redis (Debian's redis-server) on a free loopback port, no persistence; stopped on dispose.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly ExternalProcess _process;

    private RedisServer(ExternalProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"redis://127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        int port = FreePorts.Next();
        var process = ExternalProcess.Start("redis-server",
            ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"]);
        var server = new RedisServer(process, port);
        await Eventually.TrueAsync(async () => process.HasExited
            ? throw new InvalidOperationException($"redis-server exited: {process.StandardOutput}{process.StandardError}")
            : await server.CommandAsync("PING") == "+PONG", "redis-server to answer PING");
        return server;
    }

    /// <summary>Sends one inline command; returns the first line of the answer ("+PONG", ":3", "$5" ...).</summary>
    public async Task<string> CommandAsync(string command)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
            using var reader = new StreamReader(stream, Encoding.ASCII);
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
        await client.ConnectAsync("127.0.0.1", Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {key}\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string header = await reader.ReadLineAsync() ?? "";
        return header == "$-1" ? null : header.StartsWith('$') ? await reader.ReadLineAsync() : throw new InvalidOperationException($"GET {key}: {header}");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
