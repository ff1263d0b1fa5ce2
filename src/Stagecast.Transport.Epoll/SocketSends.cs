using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// Sends on a non-blocking socket that never wait: as much as the socket takes now, the count returned, the rest for
/// the caller to send by its usual (waiting) path.
/// </summary>
public static class SocketSends
{
    /// <summary>Sends with <c>MSG_MORE</c>, so that these bytes leave in one segment with what follows (a head before its body).</summary>
    public static int SendMore(Socket socket, ReadOnlySpan<byte> bytes)
    {
        bool added = false;
        var handle = socket.SafeHandle;
        try
        {
            handle.DangerousAddRef(ref added);
            nint sent = LinuxNative.Send((int)handle.DangerousGetHandle(), ref MemoryMarshal.GetReference(bytes), bytes.Length,
                LinuxNative.MsgMore | LinuxNative.MsgDontWait | LinuxNative.MsgNoSignal);
            return (int)Math.Max(sent, 0);
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Sends the first <paramref name="length"/> bytes of <paramref name="file"/> with <c>sendfile</c> (no copy: the
    /// socket refers to the file's pages). The caller keeps the file open meanwhile.
    /// </summary>
    public static long SendFile(Socket socket, MemoryFile file, int length)
    {
        bool added = false;
        var handle = socket.SafeHandle;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            long offset = 0;
            while (offset < length && LinuxNative.SendFile(fd, (int)file.DangerousGetHandle(), ref offset, length - (int)offset) > 0)
            {
            }

            return offset; // short: a full socket buffer (EAGAIN) or an error, which the caller's own send then meets
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}
