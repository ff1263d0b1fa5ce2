using System.Net;
using System.Net.Sockets;

namespace Stagecast.Testing;

/// <summary>
/// A TCP proxy that forwards client-to-server bytes at a limited rate: a destination on a slow link, in front of
/// a real receiver. Server-to-client bytes pass freely.
/// </summary>
public sealed class ThrottlingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly int _targetPort;
    private readonly int _bytesPerSecond;
    private readonly Task _accepting;

    public ThrottlingProxy(int targetPort, int bytesPerSecond)
    {
        _targetPort = targetPort;
        _bytesPerSecond = bytesPerSecond;
        _listener.Server.ReceiveBufferSize = 16 * 1024; // inherited by accepted sockets: little kernel buffering
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
            // stopping
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            var up = CopyAsync(client.GetStream(), server.GetStream(), _bytesPerSecond);
            var down = CopyAsync(server.GetStream(), client.GetStream(), 0);
            await Task.WhenAny(up, down);
        }
    }

    private async Task CopyAsync(NetworkStream from, NetworkStream to, int bytesPerSecond)
    {
        var buffer = new byte[bytesPerSecond > 0 ? Math.Max(1, bytesPerSecond / 20) : 65536];
        try
        {
            while (true)
            {
                int read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    return;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                if (bytesPerSecond > 0)
                {
                    await Task.Delay(TimeSpan.FromSeconds((double)read / bytesPerSecond), _stop.Token); // a slow link is time: bytes per second
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // either side went away
        }
    }
}
