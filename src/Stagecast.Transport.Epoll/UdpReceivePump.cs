using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// Reads many UDP sockets from one thread that sleeps between rounds instead of waiting on them (a load tool's
/// viewers, Linux). A socket waited on wakes its reader at every datagram that arrives, and over loopback that
/// wake-up is paid in the sender's system call: a server sending a frame to a thousand viewers would pay a thousand
/// of them, which it does not on a network. Here nobody waits on the sockets: each round the thread asks epoll which
/// ones hold data, without waiting, drains those, and sleeps again.
/// </summary>
public sealed class UdpReceivePump : IDisposable
{
    private const int MaxEvents = 256;

    private readonly int _epoll;
    private readonly TimeSpan _interval;
    private readonly ConcurrentDictionary<int, Action> _drains = new();
    private volatile bool _disposed;

    private UdpReceivePump(int epoll, TimeSpan interval)
    {
        _epoll = epoll;
        _interval = interval;
        new Thread(Run) { IsBackground = true, Name = "UDP receive pump" }.Start();
    }

    /// <summary>A pump whose rounds are <paramref name="interval"/> apart; null where it cannot run (not Linux).</summary>
    public static UdpReceivePump? TryCreate(TimeSpan interval)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        int epoll = LinuxNative.EpollCreate(LinuxNative.EpollCloexec);
        return epoll < 0 ? null : new UdpReceivePump(epoll, interval);
    }

    /// <summary>Calls <paramref name="drain"/> on the pump's thread whenever <paramref name="socket"/> has data.</summary>
    public bool TryAdd(Socket socket, Action drain)
    {
        int fd = (int)socket.Handle;
        _drains[fd] = drain;
        Span<byte> registration = stackalloc byte[16];
        LinuxNative.WriteEpollEvent(registration, LinuxNative.EpollIn, (ulong)fd);
        if (LinuxNative.EpollControl(_epoll, LinuxNative.EpollCtlAdd, fd, ref registration[0]) == 0)
        {
            return true;
        }

        _drains.TryRemove(fd, out _);
        return false;
    }

    /// <summary>Stops reading <paramref name="socket"/> (before it is closed, so its descriptor's next owner is not read).</summary>
    public void Remove(Socket socket)
    {
        int fd = (int)socket.Handle;
        Span<byte> unused = stackalloc byte[16];
        LinuxNative.EpollControl(_epoll, LinuxNative.EpollCtlDel, fd, ref unused[0]);
        _drains.TryRemove(fd, out _);
    }

    public void Dispose() => _disposed = true;

    private void Run()
    {
        var events = new byte[MaxEvents * LinuxNative.EpollEventSize];
        while (!_disposed)
        {
            Thread.Sleep(_interval);
            int ready = LinuxNative.EpollWait(_epoll, ref events[0], MaxEvents, 0);
            for (int i = 0; i < ready; i++)
            {
                if (_drains.TryGetValue((int)LinuxNative.ReadEpollEvent(events, i).Data, out var drain))
                {
                    try
                    {
                        drain();
                    }
                    catch (Exception ex) when (ex is ObjectDisposedException or SocketException)
                    {
                        // That socket is closing; the others go on being read.
                    }
                }
            }
        }

        LinuxNative.Close(_epoll);
    }
}
