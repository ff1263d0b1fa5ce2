using System.Net;
using System.Net.Sockets;

namespace Stagecast.Testing;

/// <summary>
/// HTTP clients that connect from a chosen loopback address (all of 127.0.0.0/8 is loopback on Linux): clients a
/// server tells apart by address, on one machine.
/// </summary>
public static class SourceAddress
{
    public static SocketsHttpHandler Handler(IPAddress local) => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    public static HttpClient Client(string local) => new(Handler(IPAddress.Parse(local))) { Timeout = TimeSpan.FromSeconds(30) };
}
