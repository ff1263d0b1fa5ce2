using System.Net;
using System.Net.Sockets;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// The one UDP socket every session shares (<see cref="WebRtcOptions.Port"/>), read on a thread of its own and
/// demultiplexed by <see cref="PacketDemux"/>: DTLS and SRTP reach only the session whose path they come from (a
/// publisher's RTP by way of its <see cref="MediaWorker"/>, so that forwarding it keeps no one else waiting). With
/// congestion control on, each packet is read with how long it waited in the socket's queue
/// (<see cref="UdpStampedReceiver"/>, <see cref="WebRtcMetrics.PacketWaited"/>), so transport-wide feedback reports when
/// it arrived rather than when this thread got to it.
/// </summary>
internal sealed class UdpMux(WebRtcSessionRegistry sessions, WebRtcLog log, bool stampArrivals) : IDisposable
{
    /// <summary>The longest datagram read whole (longer ones are cut, and fail authentication).</summary>
    public const int MaxDatagram = 2048;

    private Socket? _socket;
    private Thread? _receiver;
    private volatile bool _stopping;

    public int Port { get; private set; }

    /// <summary>The shared socket, once started.</summary>
    public Socket Socket => _socket ?? throw new InvalidOperationException("the UDP port is not open");

    public void Start(IPAddress address, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
        {
            ReceiveBufferSize = 4 * 1024 * 1024,
            SendBufferSize = 4 * 1024 * 1024,
        };
        socket.Bind(new IPEndPoint(address, port));
        Port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        _socket = socket;
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = "webrtc-udp" };
        _receiver.Start();
    }

    public void Dispose()
    {
        _stopping = true;
        _socket?.Dispose();
        _receiver?.Join(TimeSpan.FromSeconds(2));
    }

    private void ReceiveLoop()
    {
        var socket = _socket!;
        var buffer = new byte[MaxDatagram];
        var stamped = stampArrivals ? UdpStampedReceiver.TryCreate(socket) : null;
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping)
        {
            int length;
            var waited = TimeSpan.Zero;
            if (stamped is not null)
            {
                length = stamped.Receive(buffer, out var sender, out waited);
                if (length < 0)
                {
                    return;
                }

                from = sender!;
            }
            else
            {
                try
                {
                    length = socket.ReceiveFrom(buffer, ref from);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
                {
                    continue;
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    return;
                }
            }

            WebRtcMetrics.PacketReceivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            WebRtcMetrics.PacketWaited = waited;
            try
            {
                var endPoint = (IPEndPoint)from;
                PacketDemux.Dispatch(buffer, length, new UdpPath(socket, endPoint), sessions.FindByAddress(endPoint), sessions);
            }
            catch (Exception ex)
            {
                log.PacketFailed(ex, from.ToString() ?? "-");
            }
        }
    }
}
