using System.Net;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// A TCP endpoint to be served by the event-loop transport. On Linux <see cref="EventLoopTransportFactory"/>
/// binds it; elsewhere it is a plain <see cref="IPEndPoint"/> and Kestrel's socket transport serves it.
/// </summary>
public sealed class EventLoopEndPoint(IPAddress address, int port, EventLoopTraffic traffic = EventLoopTraffic.Ingest) : IPEndPoint(address, port)
{
    /// <summary>What its connections carry: which loops serve them, and how.</summary>
    public EventLoopTraffic Traffic { get; } = traffic;
}

/// <summary>What a listener's connections carry, which decides the loops they go to.</summary>
public enum EventLoopTraffic
{
    /// <summary>Long-lived streams into the server (RTMP): loops filled one after another, their reads paced when busy.</summary>
    Ingest,

    /// <summary>
    /// Requests a client waits on (HTTP): loops of their own, reading at every edge (pacing would add its interval to
    /// every answer), each new connection to the loop with the fewest.
    /// </summary>
    Requests,
}
