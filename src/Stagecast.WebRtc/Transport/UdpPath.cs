using System.Net;
using System.Net.Sockets;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Transport;

internal sealed class UdpPath(Socket socket, IPEndPoint endPoint) : IcePath
{
    // Serialized once: SendTo with an EndPoint serializes (and allocates) it again for every packet.
    private SocketAddress? _address;

    public override IPEndPoint EndPoint => endPoint;

    /// <summary>The address as the socket takes it (<see cref="UdpBatch"/> queues packets for it).</summary>
    public SocketAddress Address => _address ??= endPoint.Serialize();

    public override bool IsTcp => false;

    public override void Send(ReadOnlySpan<byte> packet)
    {
        try
        {
            socket.SendTo(packet, SocketFlags.None, Address);
        }
        catch (SocketException)
        {
            // ICMP unreachable or a full buffer: UDP loses the packet, consent catches a peer that is gone
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public override bool Equals(object? obj) => obj is UdpPath other && other.EndPoint.Equals(endPoint);

    public override int GetHashCode() => endPoint.GetHashCode();
}
