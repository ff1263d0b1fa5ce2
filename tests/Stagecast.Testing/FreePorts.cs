using System.Net;
using System.Net.Sockets;

namespace Stagecast.Testing;

/// <summary>
/// Ports for listeners a test starts later or in another process (the server as a process, ffmpeg, nginx): free when
/// chosen, below the kernel's ephemeral range (32768-60999 on Linux), so an outgoing connection of a test running
/// beside it cannot take the port before the listener binds. The range is cut into blocks and each test process hands
/// out ports from a block of its own, held by a lock file for the life of the process, so two test processes running
/// at once (./test.sh runs two lanes) never hand out the same port: a check that a port is free says nothing about a
/// port another process has chosen and not yet bound.
/// </summary>
public static class FreePorts
{
    private const int First = 20000;
    private const int BlockSize = 1000;
    private const int Blocks = 12;

    private static readonly Lazy<(int Start, FileStream Lock)> Block = new(() => ClaimBlock(Path.Combine(Path.GetTempPath(), "stagecast-test-ports")));
    private static int _next = Random.Shared.Next(BlockSize);

    public static int Next()
    {
        int start = Block.Value.Start;
        for (int attempt = 0; attempt < BlockSize; attempt++)
        {
            int port = start + (int)((uint)Interlocked.Increment(ref _next) % BlockSize);
            if (IsFree(port))
            {
                return port;
            }
        }

        throw new InvalidOperationException($"no free TCP port from {start} to {start + BlockSize - 1}");
    }

    /// <summary>
    /// The first port of a block whose lock file in <paramref name="directory"/> nobody holds, and the lock, held until it
    /// is disposed or the process ends (the kernel lets it go then, however the process ended).
    /// </summary>
    public static (int Start, FileStream Lock) ClaimBlock(string directory)
    {
        Directory.CreateDirectory(directory);
        int first = Random.Shared.Next(Blocks);
        for (int i = 0; i < Blocks; i++)
        {
            int block = (first + i) % Blocks;
            try
            {
                var held = new FileStream(Path.Combine(directory, $"{block}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return (First + (block * BlockSize), held);
            }
            catch (IOException)
            {
                // another test process has this block
            }
        }

        throw new InvalidOperationException($"all {Blocks} blocks of test ports ({First}-{First + (Blocks * BlockSize) - 1}) are held by other test processes (lock files in {directory})");
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
