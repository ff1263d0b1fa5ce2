using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Stagecast.Transport.Epoll;

/// <summary>Accepts connections on a listening socket and hands each to the loop <c>nextLoop</c> assigns.</summary>
internal sealed class EventLoopListener(Socket socket, EndPoint endPoint, Func<EventLoop> nextLoop) : IConnectionListener
{
    public EndPoint EndPoint { get; } = endPoint;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await socket.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return null;
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.OperationAborted or SocketError.Interrupted)
            {
                return null;
            }
            catch (SocketException)
            {
                continue; // the peer gave up before we accepted it
            }

            accepted.NoDelay = true;
            var connection = new EventLoopConnection(accepted, nextLoop());
            connection.Start();
            return connection;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
