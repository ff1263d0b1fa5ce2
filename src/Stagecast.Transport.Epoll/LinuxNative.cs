using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// The Linux system calls the event-loop transport uses: epoll(7), eventfd(2), poll(2), recv(2), send(2); and for sends from
/// memory files (<see cref="MemoryFile"/>, <see cref="SocketSends"/>): memfd_create(2), sendfile(2), getrlimit(2); and
/// madvise(2) to give mapped files' pages back (<see cref="FilePages"/>).
/// </summary>
internal static partial class LinuxNative
{
    public const int EpollCloexec = 0x80000;
    public const int EpollCtlAdd = 1;
    public const int EpollCtlDel = 2;
    public const uint EpollIn = 0x001;
    public const uint EpollOut = 0x004;
    public const uint EpollErr = 0x008;
    public const uint EpollHup = 0x010;
    public const uint EpollRdHup = 0x2000;
    public const uint EpollEt = 1u << 31;
    public const int MsgDontWait = 0x40;
    public const int MsgNoSignal = 0x4000;
    public const int MsgMore = 0x8000;
    public const int EfdCloexec = 0x80000;
    public const int EfdNonblock = 0x800;
    public const int Eintr = 4;
    public const int Eagain = 11;
    public const int Epipe = 32;
    public const int Econnreset = 104;

    /// <summary>
    /// struct epoll_event is packed on x86 and x86-64 (4-byte events, then the 8-byte data at offset 4) and
    /// naturally aligned elsewhere (data at offset 8).
    /// </summary>
    public static readonly int EpollEventSize = IsPackedEpollEvent ? 12 : 16;

    private static bool IsPackedEpollEvent =>
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

    private static int DataOffset => IsPackedEpollEvent ? 4 : 8;

    public static void WriteEpollEvent(Span<byte> destination, uint events, ulong data)
    {
        destination.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(destination, events);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[DataOffset..], data);
    }

    public static (uint Events, ulong Data) ReadEpollEvent(ReadOnlySpan<byte> events, int index)
    {
        var entry = events.Slice(index * EpollEventSize, EpollEventSize);
        return (BinaryPrimitives.ReadUInt32LittleEndian(entry), BinaryPrimitives.ReadUInt64LittleEndian(entry[DataOffset..]));
    }

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollControl(int epoll, int operation, int fd, ref byte epollEvent);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epoll, ref byte events, int maxEvents, int timeoutMilliseconds);

    public const short PollIn = 0x1;

    /// <summary>struct pollfd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Returned;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(ref PollFd fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Receive(int fd, ref byte buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, ref byte buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, ref byte buffer, nint length);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, ref byte buffer, nint length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "memfd_create", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "sendfile")]
    public static partial nint SendFile(int socket, int file, ref long offset, nint count);

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    public static partial int GetRlimit(int resource, ref ulong limit);

    public const int MadvDontNeed = 4;

    [LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    public static partial int Madvise(nint address, nuint length, int advice);

    public static int LastError => Marshal.GetLastPInvokeError();
}
