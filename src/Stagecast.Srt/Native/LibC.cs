using System.Runtime.InteropServices;

namespace Stagecast.Srt.Native;

/// <summary>
/// The C library's calls SRT's port needs: it is held by one descriptor and lent to libsrt as a copy (dup), and what
/// woke a libsrt that then failed to start is read off it (recv). The wake-up is Transport.Epoll's LoopWakeup.
/// </summary>
internal static partial class LibC
{
    public const int DontWait = 0x40;

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int descriptor);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static partial nint Receive(int descriptor, ref byte buffer, nint length, int flags);
}
