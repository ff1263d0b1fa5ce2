using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// Bytes in an anonymous memory file (Linux <c>memfd_create</c>), so that a connection can hand them to the kernel with
/// <see cref="SocketSends.SendFile"/> instead of copying them into the socket: the socket then refers to the file's
/// pages, as nginx serves segments from tmpfs. The file is written once and never changed (a page still queued in a
/// socket after its owner let the file go stays the same bytes). Open files count against the process's descriptor
/// limit, so at most <see cref="Budget"/> exist at once (an eighth of the limit, at most 8,192); past it none is made.
/// </summary>
public sealed class MemoryFile : SafeHandleZeroOrMinusOneIsInvalid
{
    private const uint MfdCloexec = 1;
    private const int RlimitNofile = 7;
    private static readonly int Budget = OperatingSystem.IsLinux() ? ReadBudget() : 0;
    private static int s_open;

    private MemoryFile(int fd)
        : base(ownsHandle: true)
    {
        SetHandle(fd);
    }

    /// <summary>A file holding <paramref name="bytes"/>, or null where there are none (not Linux, over the budget, a failed call).</summary>
    public static MemoryFile? TryCreate(ReadOnlySpan<byte> bytes)
    {
        if (Interlocked.Increment(ref s_open) > Budget)
        {
            Interlocked.Decrement(ref s_open);
            return null;
        }

        int fd = LinuxNative.MemfdCreate("stagecast-part", MfdCloexec);
        if (fd < 0)
        {
            Interlocked.Decrement(ref s_open);
            return null;
        }

        var file = new MemoryFile(fd);
        while (!bytes.IsEmpty)
        {
            nint written = LinuxNative.Write(fd, ref MemoryMarshal.GetReference(bytes), bytes.Length);
            if (written <= 0)
            {
                file.Dispose();
                return null;
            }

            bytes = bytes[(int)written..];
        }

        return file;
    }

    protected override bool ReleaseHandle()
    {
        LinuxNative.Close((int)handle);
        Interlocked.Decrement(ref s_open);
        return true;
    }

    private static int ReadBudget()
    {
        Span<ulong> limit = stackalloc ulong[2]; // struct rlimit { rlim_t cur, max; }
        return LinuxNative.GetRlimit(RlimitNofile, ref MemoryMarshal.GetReference(limit)) == 0 ? (int)Math.Min(limit[0] / 8, 8192) : 0;
    }
}
