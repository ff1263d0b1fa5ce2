using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// ICE over TCP (RFC 6544, passive candidates): accepts connections, each framed per RFC 4571 by
/// <see cref="IceTcpConnection"/>, and demultiplexes their packets like UDP's. Connections beyond what the sessions
/// could use are refused.
/// </summary>
internal sealed class IceTcpListener(WebRtcSessionRegistry sessions, WebRtcOptions options, TimeProvider time) : IDisposable
{
    private readonly ConcurrentDictionary<IceTcpConnection, byte> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;

    public int Port { get; private set; }

    public void Start(IPAddress address, int port)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, port));
        listener.Listen(128);
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _listener = listener;
        _ = Task.Run(AcceptLoopAsync);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener?.Dispose();
        foreach (var connection in _connections.Keys)
        {
            connection.Dispose();
        }
    }

    /// <summary>A packet from a connection: STUN is checked like UDP's, the rest goes to the session it validated.</summary>
    internal void Dispatch(byte[] buffer, int length, IceTcpConnection connection)
    {
        WebRtcMetrics.PacketReceivedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var peer = connection.Peer is { } candidate && candidate.Ice.Paths.Contains(connection) ? candidate : null;
        PacketDemux.Dispatch(buffer, length, connection, peer, sessions);
    }

    internal void OnClosed(IceTcpConnection connection)
    {
        _connections.TryRemove(connection, out _);
        if (connection.Peer is { } peer && ReferenceEquals(peer.Ice.Selected, connection))
        {
            peer.Close("its ICE-TCP connection closed");
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                if (_stopping.IsCancellationRequested || ex is ObjectDisposedException)
                {
                    return;
                }

                continue;
            }

            if (_connections.Count >= options.MaxSessions * 2)
            {
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            var connection = new IceTcpConnection(socket, this, options.ConnectDeadline, time);
            _connections[connection] = 0;
            _ = Task.Run(connection.RunAsync);
        }
    }
}
