using System.Runtime.InteropServices;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// Linux's <c>sendmmsg</c> and <c>recvmsg</c> with the structures they take (x86-64 and arm64 layouts), for UDP
/// segmentation offload: <see cref="UdpBatch"/> sends with it, <see cref="UdpGroReceiver"/> receives with it.
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

    [DllImport("libc", EntryPoint = "sendmmsg", SetLastError = true)]
    public static extern int SendMessages(int fd, MessageHeader* messages, uint count, int flags);

    [DllImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    public static extern nint ReceiveMessage(int fd, MessageHeader* message, int flags);

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
