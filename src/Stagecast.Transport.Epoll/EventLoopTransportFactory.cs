using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// A Kestrel transport for long-lived connections that stream into the server (RTMP ingest): one epoll loop per
/// core, reading each socket edge-triggered with one recv per wakeup and running the protocol on the loop
/// thread, a busy loop's wake-ups paced (<see cref="EventLoopTransportOptions.ReadPacing"/>), a loop filled before
/// the next gets connections (<see cref="EventLoopTransportOptions.FillLoopsTo"/>). Kestrel's socket
/// transport hands every receive to the thread pool and wakes a worker for it, which at tens of small media
/// messages per second per publisher cost more CPU than the media work itself (bench/README.md). It binds only
/// <see cref="EventLoopEndPoint"/>s, and only on Linux.
/// </summary>
public sealed class EventLoopTransportFactory(ILoggerFactory loggers, IOptions<EventLoopTransportOptions> options) : IConnectionListenerFactory, IConnectionListenerFactorySelector, IDisposable
{
    private readonly Lock _sync = new();
    private EventLoop[]? _loops;

    public bool CanBind(EndPoint endpoint) => endpoint is EventLoopEndPoint && OperatingSystem.IsLinux();

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var requested = (EventLoopEndPoint)endpoint;
        var socket = new Socket(requested.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (requested.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            socket.Bind(requested);
            socket.Listen(512);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(ex.Message, ex);
        }

        var bound = (IPEndPoint)socket.LocalEndPoint!;
        var loops = Loops();
        return ValueTask.FromResult<IConnectionListener>(new EventLoopListener(socket, new EventLoopEndPoint(bound.Address, bound.Port), () => Assign(loops)));
    }

    public void Dispose()
    {
        lock (_sync)
        {
            foreach (var loop in _loops ?? [])
            {
                loop.Dispose();
            }

            _loops = null;
        }
    }

    private EventLoop[] Loops()
    {
        lock (_sync)
        {
            var logger = loggers.CreateLogger<EventLoopTransportFactory>();
            return _loops ??= [.. Enumerable.Range(0, options.Value.Loops).Select(i => new EventLoop($"Stagecast I/O {i}", options.Value, logger))];
        }
    }

    /// <summary>The loop for a new connection: the first with room below the fill mark, else the least loaded.</summary>
    private EventLoop Assign(EventLoop[] loops)
    {
        lock (_sync)
        {
            var chosen = loops.FirstOrDefault(l => l.Connections < options.Value.FillLoopsTo) ?? loops.MinBy(l => l.Connections)!;
            chosen.Attach();
            return chosen;
        }
    }
}
