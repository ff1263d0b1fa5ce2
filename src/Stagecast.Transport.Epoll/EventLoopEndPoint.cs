using System.Net;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// A TCP endpoint to be served by the event-loop transport. On Linux <see cref="EventLoopTransportFactory"/>
/// binds it; elsewhere it is a plain <see cref="IPEndPoint"/> and Kestrel's socket transport serves it.
/// </summary>
public sealed class EventLoopEndPoint(IPAddress address, int port) : IPEndPoint(address, port);
