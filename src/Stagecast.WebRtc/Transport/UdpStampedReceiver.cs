using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using static Stagecast.WebRtc.Transport.LinuxMessages;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// Reads a UDP socket with each datagram's time in the socket's queue (Linux, <c>SO_TIMESTAMPNS</c>): the kernel stamps
/// a datagram as the network hands it over, before it waits to be read. A thread that also forwards what it reads
/// reads late, in bunches, on a busy machine; a delay-based estimator fed read times takes that for a queue on the
/// path. The stamp is on the wall clock (<c>CLOCK_REALTIME</c>) while the server's clocks are monotonic, so only the
/// datagram's age is kept (a difference on one clock), and a stamp that a step of the wall clock makes negative or
/// older than <see cref="MaxAge"/> counts as none. Used by one reader at a time.
/// </summary>
internal sealed unsafe class UdpStampedReceiver
{
    private const int SolSocket = 1;
    private const int SoTimestampNs = 35; // SCM_TIMESTAMPNS too; x86-64 and arm64 alike (asm-generic/socket.h)
    private const int ControlBytes = 32; // CMSG_SPACE(sizeof(struct timespec))
    private const int AddressBytes = 16; // struct sockaddr_in
    private const int Truncated = 0x20; // MSG_TRUNC
    private const int ConnectionRefused = 111; // ECONNREFUSED: an ICMP port-unreachable for an earlier send
    private const int WouldBlock = 11; // EAGAIN

    /// <summary>An age past which the stamp is not believed (a step of the wall clock, not a queue).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;
    private readonly byte[] _control = GC.AllocateArray<byte>(ControlBytes, pinned: true);
    private readonly byte[] _address = GC.AllocateArray<byte>(AddressBytes, pinned: true);

    private UdpStampedReceiver(Socket socket) => _socket = socket;

    /// <summary>Has the kernel stamp what <paramref name="socket"/> (IPv4) receives; null where the system does not.</summary>
    public static UdpStampedReceiver? TryCreate(Socket socket) =>
        OperatingSystem.IsLinux() && socket.AddressFamily == AddressFamily.InterNetwork && TryTurnOn(socket, SolSocket, SoTimestampNs)
            ? new UdpStampedReceiver(socket) : null;

    /// <summary>
    /// Waits for a datagram into <paramref name="buffer"/>: its length, where it came from and how long it waited to be
    /// read (zero when unknown); -1 once the socket is closed or failed. A datagram longer than the buffer is dropped
    /// (as is an error about an earlier send) and the next one waited for.
    /// </summary>
    public int Receive(byte[] buffer, out IPEndPoint? from, out TimeSpan waited)
    {
        from = null;
        waited = TimeSpan.Zero;
        fixed (byte* data = buffer)
        fixed (byte* control = _control)
        fixed (byte* address = _address)
        {
            while (true)
            {
                var vector = new IoVector { Base = data, Length = (nuint)buffer.Length };
                var message = new MessageHeader
                {
                    Name = address, NameLength = AddressBytes, Vectors = &vector, VectorCount = 1, Control = control, ControlLength = ControlBytes,
                };
                nint length = LinuxMessages.Receive(_socket, &message, 0, out int error);
                if (length < 0)
                {
                    if (error == ConnectionRefused)
                    {
                        continue;
                    }

                    if (error == WouldBlock && WaitReadable())
                    {
                        continue;
                    }

                    return -1;
                }

                if (message.NameLength < 8)
                {
                    return -1; // no sender: the socket was shut down (its close wakes a read that waits so)
                }

                if ((message.Flags & Truncated) != 0)
                {
                    continue; // too long for any packet here
                }

                from = new IPEndPoint(new IPAddress(new ReadOnlySpan<byte>(address + 4, 4)), BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(address + 2, 2)));
                waited = Age(control, message.ControlLength);
                return (int)length;
            }
        }
    }

    /// <summary>Waits a while for a socket .NET made non-blocking to have something to read; false once it is closed.</summary>
    private bool WaitReadable()
    {
        try
        {
            _socket.Poll(TimeSpan.FromMilliseconds(250), SelectMode.SelectRead);
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>The wall clock now less the kernel's stamp in the control messages; zero without one, or past belief.</summary>
    private static TimeSpan Age(byte* control, nuint controlLength)
    {
        var header = (ControlHeader*)control;
        if (controlLength < (nuint)(sizeof(ControlHeader) + 16) || header->Level != SolSocket || header->Type != SoTimestampNs)
        {
            return TimeSpan.Zero;
        }

        long seconds = *(long*)(control + sizeof(ControlHeader));
        long nanoseconds = *(long*)(control + sizeof(ControlHeader) + 8);
        var stamped = DateTime.UnixEpoch.AddTicks((seconds * TimeSpan.TicksPerSecond) + (nanoseconds / 100));
        var age = DateTime.UtcNow - stamped; // the kernel's clock: a measurement, not the server's (injected) time
        return age > TimeSpan.Zero && age <= MaxAge ? age : TimeSpan.Zero;
    }
}
