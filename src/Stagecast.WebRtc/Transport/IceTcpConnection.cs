using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Stagecast.WebRtc.Ice;

namespace Stagecast.WebRtc.Transport;

/// <summary>
/// One ICE-TCP connection (RFC 6544, Stagecast passive): packets framed by a 2-byte length (RFC 4571), at most one MTU
/// each. It must carry a valid binding request within the connect deadline or it is closed; sends go through a
/// bounded queue so a stalled peer never blocks the sender (its packets are dropped, as UDP would lose them).
/// </summary>
internal sealed class IceTcpConnection : IcePath, IDisposable
{
    private const int MaxFrame = 1500;
    private const int MaxQueuedFrames = 1024;

    private readonly Socket _socket;
    private readonly IceTcpListener _listener;
    private readonly TimeSpan _connectDeadline;
    private readonly TimeProvider _time;
    private readonly IPEndPoint _remote;
    private readonly CancellationTokenSource _closed = new();
    private readonly Channel<byte[]> _outgoing = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(MaxQueuedFrames)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    public IceTcpConnection(Socket socket, IceTcpListener listener, TimeSpan connectDeadline, TimeProvider time)
    {
        _time = time;
        _socket = socket;
        _listener = listener;
        _connectDeadline = connectDeadline;
        _remote = (IPEndPoint)socket.RemoteEndPoint!;
    }

    public override IPEndPoint EndPoint => _remote;

    public override bool IsTcp => true;

    /// <summary>The session a valid binding request on this connection named.</summary>
    public WebRtcSession? Peer { get; set; }

    public async Task RunAsync()
    {
        _ = Task.Run(SendLoopAsync);
        var deadline = Task.Delay(_connectDeadline, _time, _closed.Token);
        _ = deadline.ContinueWith(_ =>
        {
            if (Peer is null)
            {
                Dispose(); // no valid binding request in time
            }
        }, TaskScheduler.Default);

        var buffer = new byte[MaxFrame];
        var header = new byte[2];
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                await ReadExactlyAsync(header).ConfigureAwait(false);
                int length = BinaryPrimitives.ReadUInt16BigEndian(header);
                if (length == 0 || length > MaxFrame)
                {
                    return; // not RFC 4571 framing of an ICE packet: close
                }

                await ReadExactlyAsync(buffer.AsMemory(0, length)).ConfigureAwait(false);
                _listener.Dispatch(buffer, length, this);
            }
        }
        catch (Exception ex) when (ex is SocketException or EndOfStreamException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            Dispose();
        }
    }

    public override void Send(ReadOnlySpan<byte> packet)
    {
        var frame = new byte[packet.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)packet.Length);
        packet.CopyTo(frame.AsSpan(2));
        _outgoing.Writer.TryWrite(frame);
    }

    public void Dispose()
    {
        if (_closed.IsCancellationRequested)
        {
            return;
        }

        _closed.Cancel();
        _outgoing.Writer.TryComplete();
        _socket.Dispose();
        _listener.OnClosed(this);
    }

    private async Task ReadExactlyAsync(Memory<byte> destination)
    {
        int read = 0;
        while (read < destination.Length)
        {
            int n = await _socket.ReceiveAsync(destination[read..], SocketFlags.None, _closed.Token).ConfigureAwait(false);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            read += n;
        }
    }

    private async Task SendLoopAsync()
    {
        try
        {
            await foreach (byte[] frame in _outgoing.Reader.ReadAllAsync(_closed.Token).ConfigureAwait(false))
            {
                await _socket.SendAsync(frame, SocketFlags.None, _closed.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Dispose();
        }
    }
}
