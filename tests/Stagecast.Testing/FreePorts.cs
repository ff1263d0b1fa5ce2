using System.Net;
using System.Net.Sockets;

namespace Stagecast.Testing;

/// <summary>
/// Ports for listeners a test starts later or in another process (the server as a process, ffmpeg, nginx): free when
/// chosen, below the kernel's ephemeral range (32768-60999 on Linux), so an outgoing connection of a test running
/// beside it cannot take the port before the listener binds, and handed out in turn from a random start, so two test
/// assemblies running at once do not pick the same one.
/// </summary>
public static class FreePorts
{
    private const int First = 20000;
    private const int Count = 12000;
    private static int _next = Random.Shared.Next(Count);

    public static int Next()
    {
        for (int attempt = 0; attempt < Count; attempt++)
        {
            int port = First + (int)((uint)Interlocked.Increment(ref _next) % Count);
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free TCP port from {First} to {First + Count - 1}");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
