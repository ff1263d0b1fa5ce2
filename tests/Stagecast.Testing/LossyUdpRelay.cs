using System.Net;
using System.Net.Sockets;

namespace Stagecast.Testing;

/// <summary>
/// A UDP relay between a WebRTC client and the server that loses a share of the server's RTP on the way to the
/// client (STUN, DTLS and RTCP pass): a lossy last mile. The client is told to use <see cref="Port"/> as the server's
/// candidate. Like a NAT, the relay gives each of the client's addresses a socket of its own toward the server: a
/// browser checks its connectivity from several host candidates (loopback and the machine's other addresses), and
/// each must get the answers to its own checks, never those of another.
/// </summary>
public sealed class LossyUdpRelay : IAsyncDisposable
{
    private readonly Socket _clientSide = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Dictionary<EndPoint, (Socket Socket, Task Pump)> _toServer = []; // written by the up pump only
    private readonly IPEndPoint _server;
    private readonly double _loss;
    private readonly Random _random = new(2026);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _up;
    private long _dropped;
    private long _forwarded;

    public LossyUdpRelay(int serverPort, double loss)
    {
        _server = new IPEndPoint(IPAddress.Loopback, serverPort);
        _loss = loss;
        _clientSide.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _up = Task.Run(UpAsync);
    }

    public int Port => ((IPEndPoint)_clientSide.LocalEndPoint!).Port;

    /// <summary>RTP packets from the server dropped, and packets passed to the client.</summary>
    public (long Dropped, long Forwarded) Counts => (Interlocked.Read(ref _dropped), Interlocked.Read(ref _forwarded));

    /// <summary>Client to server, each client address through its own socket.</summary>
    private async Task UpAsync()
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = await _clientSide.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                var client = received.RemoteEndPoint;
                if (!_toServer.TryGetValue(client, out var toServer))
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                    _toServer[client] = toServer = (socket, Task.Run(() => DownAsync(socket, client)));
                }

                await toServer.Socket.SendToAsync(buffer.AsMemory(0, received.ReceivedBytes), SocketFlags.None, _server, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // stopped
        }
    }

    /// <summary>Server to one client address, losing RTP.</summary>
    private async Task DownAsync(Socket fromServer, EndPoint client)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var received = await fromServer.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                var packet = buffer.AsMemory(0, received.ReceivedBytes);

                // RTP (RFC 7983: first byte 128-191) but not RTCP (second byte 192-223): the media a viewer would miss.
                bool rtp = packet.Length > 1 && packet.Span[0] is >= 128 and <= 191 && packet.Span[1] is not (>= 192 and <= 223);
                bool drop;
                lock (_random)
                {
                    drop = rtp && _random.NextDouble() < _loss;
                }

                if (drop)
                {
                    Interlocked.Increment(ref _dropped);
                    continue;
                }

                Interlocked.Increment(ref _forwarded);
                await _clientSide.SendToAsync(packet, SocketFlags.None, client, _stop.Token);
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
        await _up; // no socket toward the server is added after this
        foreach (var (socket, _) in _toServer.Values)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_toServer.Values.Select(v => v.Pump));
        _stop.Dispose();
    }
}
