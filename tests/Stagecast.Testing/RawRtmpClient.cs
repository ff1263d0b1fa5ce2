using System.Net.Sockets;

namespace Stagecast.Testing;

/// <summary>An RTMP client that speaks just enough to misbehave: handshake, chunk headers, raw bytes.</summary>
public sealed class RawRtmpClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawRtmpClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    /// <summary>
    /// Opens <paramref name="count"/> hostile connections: half shake hands, announce an 8 MiB message and send
    /// 200 KiB of it (memory hostage), half send a single byte (slowloris). Connections the server refuses or
    /// closes are left out. Dispose the ones returned to end the wave.
    /// </summary>
    public static async Task<List<RawRtmpClient>> OpenHostileWaveAsync(int port, int count)
    {
        var clients = new List<RawRtmpClient>();
        for (int i = 0; i < count; i++)
        {
            try
            {
                var client = await ConnectAsync(port);
                clients.Add(client);
                if (i % 2 == 0)
                {
                    await client.HandshakeAsync();
                    await client.SetChunkSizeAsync(1024 * 1024);
                    await client.AnnounceVideoMessageAsync(8 * 1024 * 1024 - 1);
                    await client.SendBodyAsync(200 * 1024);
                }
                else
                {
                    await client.TrySendByteAsync();
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException)
            {
                // refused or closed: the server defending itself
            }
        }

        return clients;
    }

    public static async Task<RawRtmpClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RawRtmpClient(tcp);
    }

    public async Task HandshakeAsync()
    {
        var c0c1 = new byte[1537];
        c0c1[0] = 3;
        Random.Shared.NextBytes(c0c1.AsSpan(9));
        await _stream.WriteAsync(c0c1);
        var s0s1s2 = new byte[3073];
        await _stream.ReadExactlyAsync(s0s1s2);
        await _stream.WriteAsync(s0s1s2.AsMemory(1, 1536)); // C2 echoes S1
    }

    /// <summary>Set Chunk Size (protocol control, chunk stream 2).</summary>
    public Task SetChunkSizeAsync(int size) => WriteAsync([0x02, 0, 0, 0, 0, 0, 4, 0x01, 0, 0, 0, 0, (byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size]);

    /// <summary>A type 0 chunk header for a video message of <paramref name="length"/> bytes on chunk stream 6.</summary>
    public Task AnnounceVideoMessageAsync(int length) =>
        WriteAsync([0x06, 0, 0, 0, (byte)(length >> 16), (byte)(length >> 8), (byte)length, 0x09, 1, 0, 0, 0]);

    public Task SendBodyAsync(int bytes) => WriteAsync(new byte[bytes]);

    public async Task TrySendByteAsync()
    {
        try
        {
            await WriteAsync([0x00]);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // closed by the server: what the test waits for
        }
    }

    /// <summary>True when the server closes the connection within <paramref name="within"/> (whatever it sent first is skipped).</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var buffer = new byte[65536];
        try
        {
            while (await _stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            return true; // reset
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task WriteAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }
}
