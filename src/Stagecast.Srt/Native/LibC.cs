using System.Runtime.InteropServices;

namespace Stagecast.Srt.Native;

/// <summary>
/// The C library's descriptor calls: SRT's UDP port is held by one descriptor and lent to libsrt as a copy; while
/// libsrt sleeps, the SRT thread waits on that descriptor and an eventfd (its wake-up) in one poll.
/// </summary>
internal static partial class LibC
{
    public const short PollIn = 0x1;
    public const int EventFdCloseOnExec = 0x80000;
    public const int DontWait = 0x40;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Descriptor;
        public short Events;
        public short Returned;
    }

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(ref PollFd descriptors, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initial, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int descriptor, ref ulong value, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int descriptor, ref ulong value, nint count);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Receive(int descriptor, ref byte buffer, nint length, int flags);
}
