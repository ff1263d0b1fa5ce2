using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// A Kestrel transport: one epoll loop per core, reading each socket edge-triggered with one recv per wakeup and
/// running the protocol on the loop thread. Kestrel's socket transport hands every receive to the thread pool and
/// wakes a worker for it, which at tens of small media messages per second per publisher cost more CPU than the media
/// work itself, and held the playlists answered to two thirds of what these loops answer (bench/README.md). Ingest's loops pace a busy loop's wake-ups
/// (<see cref="EventLoopTransportOptions.ReadPacing"/>) and fill a loop before the next gets connections
/// (<see cref="EventLoopTransportOptions.FillLoopsTo"/>); requests (<see cref="EventLoopTraffic.Requests"/>) have
/// loops of their own, never paced, filled evenly. It binds only <see cref="EventLoopEndPoint"/>s, and only on Linux.
/// </summary>
public sealed class EventLoopTransportFactory(ILoggerFactory loggers, IOptions<EventLoopTransportOptions> options) : IConnectionListenerFactory, IConnectionListenerFactorySelector, IDisposable
{
    private readonly Lock _sync = new();
    private readonly EventLoop[]?[] _groups = new EventLoop[]?[Enum.GetValues<EventLoopTraffic>().Length];

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
        var loops = Loops(requested.Traffic);
        return ValueTask.FromResult<IConnectionListener>(
            new EventLoopListener(socket, new EventLoopEndPoint(bound.Address, bound.Port, requested.Traffic), () => Assign(loops, requested.Traffic)));
    }

    public void Dispose()
    {
        lock (_sync)
        {
            foreach (var loop in _groups.SelectMany(g => g ?? []))
            {
                loop.Dispose();
            }

            Array.Clear(_groups);
        }
    }

    /// <summary>The loops of one kind of traffic, started when a listener first needs them.</summary>
    private EventLoop[] Loops(EventLoopTraffic traffic)
    {
        lock (_sync)
        {
            var logger = loggers.CreateLogger<EventLoopTransportFactory>();
            var (name, loopOptions) = traffic == EventLoopTraffic.Requests
                ? ("Stagecast HTTP I/O", new EventLoopTransportOptions { Loops = options.Value.Loops, ReadPacing = TimeSpan.Zero })
                : ("Stagecast I/O", options.Value);
            return _groups[(int)traffic] ??= [.. Enumerable.Range(0, loopOptions.Loops).Select(i => new EventLoop($"{name} {i}", loopOptions, logger))];
        }
    }

    /// <summary>The loop for a new connection: for ingest the first with room below the fill mark, else (and always for requests) the least loaded.</summary>
    private EventLoop Assign(EventLoop[] loops, EventLoopTraffic traffic)
    {
        lock (_sync)
        {
            var chosen = (traffic == EventLoopTraffic.Ingest ? loops.FirstOrDefault(l => l.Connections < options.Value.FillLoopsTo) : null) ?? loops.MinBy(l => l.Connections)!;
            chosen.Attach();
            return chosen;
        }
    }
}
