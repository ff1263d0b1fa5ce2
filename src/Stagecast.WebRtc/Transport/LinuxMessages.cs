using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// Linux's <c>sendmmsg</c> and <c>recvmsg</c> with the structures they take (x86-64 and arm64 layouts), for UDP
/// segmentation offload and the kernel's receive stamps: <see cref="UdpBatch"/> sends with it,
/// <see cref="UdpGroReceiver"/> and <see cref="UdpStampedReceiver"/> receive with it.
/// </summary>
internal static unsafe class LinuxMessages
{
    public const int SolUdp = 17;
    public const int UdpSegment = 103;
    public const int UdpGro = 104;
    public const int Interrupted = 4; // EINTR
    public const int DontWait = 0x40; // MSG_DONTWAIT

    /// <summary><c>CMSG_SPACE</c> for an <c>int</c> or smaller.</summary>
    public const int ControlSpace = 24;

    /// <summary>Turns a socket option on; false where the system does not have it.</summary>
    public static bool TryTurnOn(Socket socket, int level, int option)
    {
        try
        {
            socket.SetRawSocketOption(level, option, BitConverter.GetBytes(1));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static extern int SendMessages(int fd, MessageHeader* messages, uint count, int flags);

    public const int BadDescriptor = 9; // EBADF

    [DllImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    private static extern nint ReceiveMessage(int fd, MessageHeader* message, int flags);

    /// <summary>
    /// <c>recvmsg</c> on <paramref name="socket"/>, again when a signal interrupts it, the socket kept open meanwhile:
    /// the bytes read, or -1 with the error in <paramref name="error"/> (<see cref="BadDescriptor"/> once it is closed).
    /// </summary>
    public static nint Receive(Socket socket, MessageHeader* message, int flags, out int error)
    {
        bool added = false;
        try
        {
            socket.SafeHandle.DangerousAddRef(ref added);
            nint length;
            do
            {
                length = ReceiveMessage((int)socket.SafeHandle.DangerousGetHandle(), message, flags);
            }
            while (length < 0 && Marshal.GetLastPInvokeError() == Interrupted);

            error = length < 0 ? Marshal.GetLastPInvokeError() : 0;
            return length;
        }
        catch (ObjectDisposedException)
        {
            error = BadDescriptor;
            return -1;
        }
        finally
        {
            if (added)
            {
                socket.SafeHandle.DangerousRelease();
            }
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    /// <summary><c>struct cmsghdr</c>, followed by its data.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ControlHeader
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary><c>struct mmsghdr</c>: a <c>struct msghdr</c> and the bytes sent (<c>recvmsg</c> takes the first part alone).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MessageHeader
    {
        public byte* Name;
        public uint NameLength;
        public IoVector* Vectors;
        public nuint VectorCount;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
        private readonly int _padding; // struct msghdr ends 8-aligned
        public uint Sent;
    }
}
