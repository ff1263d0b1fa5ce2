using System.Net.Sockets;
using Stagecast.Hls.Storage;
using Stagecast.Transport.Epoll;

namespace Stagecast.Hls.Serving;

/// <summary>
/// Sends an answer's head and then its media from the parts' memory files with <c>sendfile</c>, as far as the socket
/// takes them without waiting: the kernel refers to the file's pages instead of copying the bytes, which was the
/// largest single cost of serving thousands of players (bench/README.md, "LL-HLS viewers of one stream"). The head goes
/// with <c>MSG_MORE</c> so that it leaves in the same segment as the media. What is not sent here (a part without a
/// file, a full socket buffer) the caller sends by copy.
/// </summary>
internal static class FileSender
{
    private static long s_bytesFromFiles;

    /// <summary>Media bytes sent from memory files in this process, for tests and diagnostics.</summary>
    internal static long BytesFromFiles => Interlocked.Read(ref s_bytesFromFiles);

    /// <summary>How many bytes of head and media went out; 0 when the first part has no file (the caller sends it all by copy).</summary>
    public static long TrySend(Socket socket, ReadOnlySpan<byte> head, MediaBuffers media)
    {
        if (media.Buffers[0].FileForSending() is not { } first)
        {
            return 0;
        }

        long total = SocketSends.SendMore(socket, head);
        if (total < head.Length)
        {
            return total;
        }

        for (int i = 0; i < media.Buffers.Length; i++)
        {
            var buffer = media.Buffers[i];
            long fromFile = (i == 0 ? first : buffer.FileForSending()) is { } file ? SocketSends.SendFile(socket, file, buffer.Length) : 0;
            Interlocked.Add(ref s_bytesFromFiles, fromFile);
            total += fromFile;
            if (fromFile < buffer.Length)
            {
                break;
            }
        }

        return total;
    }
}
