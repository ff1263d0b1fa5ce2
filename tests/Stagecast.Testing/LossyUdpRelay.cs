using System.Net;
using System.Net.Sockets;

namespace Stagecast.Testing;

/// <summary>
/// A UDP relay between a WebRTC client and the server that loses a share of the server's RTP on the way to the
/// client (STUN, DTLS and RTCP pass): a lossy last mile. The client is told to use <see cref="Port"/> as the server's
/// candidate; the server sees the relay's other socket as the client.
/// </summary>
public sealed class LossyUdpRelay : IAsyncDisposable
{
    private readonly Socket _clientSide = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Socket _serverSide = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly IPEndPoint _server;
    private readonly double _loss;
    private readonly Random _random = new(2026);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _up;
    private readonly Task _down;
    private EndPoint? _client;
    private long _dropped;
    private long _forwarded;

    public LossyUdpRelay(int serverPort, double loss)
    {
        _server = new IPEndPoint(IPAddress.Loopback, serverPort);
        _loss = loss;
        _clientSide.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _serverSide.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _up = Task.Run(() => PumpAsync(_clientSide, toServer: true));
        _down = Task.Run(() => PumpAsync(_serverSide, toServer: false));
    }

    public int Port => ((IPEndPoint)_clientSide.LocalEndPoint!).Port;

    /// <summary>RTP packets from the server dropped, and packets passed to the client.</summary>
    public (long Dropped, long Forwarded) Counts => (Interlocked.Read(ref _dropped), Interlocked.Read(ref _forwarded));

    private async Task PumpAsync(Socket from, bool toServer)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = await from.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                var packet = buffer.AsMemory(0, received.ReceivedBytes);
                if (toServer)
                {
                    _client = received.RemoteEndPoint;
                    await _serverSide.SendToAsync(packet, SocketFlags.None, _server, _stop.Token);
                    continue;
                }

                if (_client is null)
                {
                    continue;
                }

                // RTP (RFC 7983: first byte 128-191) but not RTCP (second byte 192-223): the media a viewer would miss.
                bool rtp = packet.Length > 1 && packet.Span[0] is >= 128 and <= 191 && packet.Span[1] is not (>= 192 and <= 223);
                if (rtp && _random.NextDouble() < _loss)
                {
                    Interlocked.Increment(ref _dropped);
                    continue;
                }

                Interlocked.Increment(ref _forwarded);
                await _clientSide.SendToAsync(packet, SocketFlags.None, _client, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // stopped
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _clientSide.Dispose();
        _serverSide.Dispose();
        await Task.WhenAll(_up, _down);
        _stop.Dispose();
    }
}
