using System.Net;
using System.Net.Sockets;

namespace Stagecast.Testing;

/// <summary>
/// A UDP relay between a WebRTC client and the server that loses a share of the server's RTP on the way to the
/// client (STUN, DTLS and RTCP pass): a lossy last mile. The client is told to use <see cref="Port"/> as the server's
/// candidate. Like a NAT, the relay gives each of the client's addresses a socket of its own toward the server: a
/// browser checks its connectivity from several host candidates (loopback and the machine's other addresses), and
/// each must get the answers to its own checks, never those of another.
/// Each direction is a thread of its own in a blocking receive, not a task on the thread pool: the server under test
/// shares this process's pool, and in the long lane a busy pool held packets back unevenly, which the server's
/// delay-based estimator read as congestion (a loss link, not a jittery one, is what the relay is for).
/// </summary>
public sealed class LossyUdpRelay : IAsyncDisposable
{
    private readonly Socket _clientSide = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Dictionary<EndPoint, (Socket Socket, Thread Pump)> _toServer = []; // written by the up pump only
    private readonly IPEndPoint _server;
    private readonly double _loss;
    private readonly Random _random = new(2026);
    private readonly Thread _up;
    private volatile bool _stopping;
    private long _dropped;
    private long _forwarded;

    public LossyUdpRelay(int serverPort, double loss)
    {
        _server = new IPEndPoint(IPAddress.Loopback, serverPort);
        _loss = loss;
        _clientSide.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _up = Start(Up, "relay up");
    }

    public int Port => ((IPEndPoint)_clientSide.LocalEndPoint!).Port;

    /// <summary>RTP packets from the server dropped, and packets passed to the client.</summary>
    public (long Dropped, long Forwarded) Counts => (Interlocked.Read(ref _dropped), Interlocked.Read(ref _forwarded));

    private static Thread Start(Action pump, string name)
    {
        var thread = new Thread(() => Pump(pump)) { Name = name, IsBackground = true };
        thread.Start();
        return thread;
    }

    /// <summary>Runs a pump until its socket is closed.</summary>
    private static void Pump(Action pump)
    {
        try
        {
            pump();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
        {
            // stopped
        }
    }

    /// <summary>Client to server, each client address through its own socket.</summary>
    private void Up()
    {
        var buffer = new byte[2048];
        while (!_stopping)
        {
            EndPoint client = new IPEndPoint(IPAddress.Any, 0);
            int length = _clientSide.ReceiveFrom(buffer, ref client);
            Socket toServer;
            lock (_toServer)
            {
                if (_stopping)
                {
                    return;
                }

                if (_toServer.TryGetValue(client, out var pair))
                {
                    toServer = pair.Socket;
                }
                else
                {
                    toServer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    toServer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                    var address = client;
                    _toServer[client] = (toServer, Start(() => Down(toServer, address), "relay down"));
                }
            }

            toServer.SendTo(buffer.AsSpan(0, length), SocketFlags.None, _server);
        }
    }

    /// <summary>Server to one client address, losing RTP.</summary>
    private void Down(Socket fromServer, EndPoint client)
    {
        var buffer = new byte[2048];
        while (!_stopping)
        {
            EndPoint any = new IPEndPoint(IPAddress.Any, 0);
            int length = fromServer.ReceiveFrom(buffer, ref any);
            var packet = buffer.AsSpan(0, length);

            // RTP (RFC 7983: first byte 128-191) but not RTCP (second byte 192-223): the media a viewer would miss.
            bool rtp = packet.Length > 1 && packet[0] is >= 128 and <= 191 && packet[1] is not (>= 192 and <= 223);
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
            _clientSide.SendTo(packet, SocketFlags.None, client);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _clientSide.Dispose();
        List<Thread> pumps = [_up];
        lock (_toServer)
        {
            foreach (var (socket, pump) in _toServer.Values)
            {
                socket.Dispose();
                pumps.Add(pump);
            }
        }

        await Task.Run(() => pumps.ForEach(pump => pump.Join()));
    }
}
