using System.Net.Sockets;
using static Stagecast.WebRtc.Transport.LinuxMessages;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// Reads a UDP socket with generic receive offload on (Linux, <c>UDP_GRO</c>): the kernel queues what a sender sent as
/// one GSO message (a frame's packets for one viewer, <see cref="UdpBatch"/>) as one, and one <c>recvmsg</c> returns
/// its datagrams back to back with their size in a control message. Over loopback the receiver's per-datagram work
/// is charged to the sender, so a load tool that reads this way leaves the server under test only what it would pay
/// on a network. Used by one reader at a time.
/// </summary>
public sealed unsafe class UdpGroReceiver
{
    /// <summary>A whole GSO message: a UDP datagram's largest length.</summary>
    public const int BufferSize = 65_536;

    private readonly Socket _socket;
    private readonly byte[] _buffer = GC.AllocateArray<byte>(BufferSize, pinned: true);
    private readonly byte[] _control = GC.AllocateArray<byte>(ControlSpace, pinned: true);

    private UdpGroReceiver(Socket socket) => _socket = socket;

    /// <summary>What the last <see cref="TryReceive"/> read.</summary>
    public Span<byte> Received => _buffer.AsSpan(0, ReceivedLength);

    public int ReceivedLength { get; private set; }

    /// <summary>The length of each datagram in <see cref="Received"/> (the last may be shorter).</summary>
    public int DatagramLength { get; private set; }

    /// <summary>Turns GRO on for <paramref name="socket"/>; null where the system does not have it.</summary>
    public static UdpGroReceiver? TryCreate(Socket socket) =>
        OperatingSystem.IsLinux() && TryTurnOn(socket, SolUdp, UdpGro) ? new UdpGroReceiver(socket) : null;

    /// <summary>Reads one message if one is queued, without waiting; false when none is (or the socket has an error or is closed).</summary>
    public bool TryReceive()
    {
        fixed (byte* data = _buffer)
        fixed (byte* control = _control)
        {
            var vector = new IoVector { Base = data, Length = BufferSize };
            var message = new MessageHeader { Vectors = &vector, VectorCount = 1, Control = control, ControlLength = ControlSpace };
            nint length = Receive(_socket, &message, DontWait, out _);
            if (length <= 0)
            {
                return false;
            }

            ReceivedLength = (int)length;
            DatagramLength = ReceivedLength;
            var header = (ControlHeader*)control;
            if (message.ControlLength >= (nuint)sizeof(ControlHeader) && header->Level == SolUdp && header->Type == UdpGro)
            {
                DatagramLength = Math.Max(1, *(int*)(control + sizeof(ControlHeader)));
            }

            return true;
        }
    }
}
