using System.Buffers.Binary;
using System.Net.Sockets;

namespace Stagecast.Testing.WebRtc;

/// <summary>
/// The client over ICE-TCP (RFC 6544, the client's side active): every packet goes behind its 2-byte length (RFC 4571)
/// on one connection. And a reader that stops reading on request, as a stalled peer does: over ICE-TCP the server's
/// queue for it then fills.
/// </summary>
public abstract partial class WebRtcClient
{
    private const int MaxFrame = 1500;


    private readonly Lock _tcpSend = new();
    private TaskCompletionSource? _readingPaused;

    /// <summary>Stops reading what arrives until <see cref="ResumeReading"/> (not with a <see cref="ReceivePump"/>).</summary>
    public void PauseReading() =>
        Interlocked.CompareExchange(ref _readingPaused, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null);

    public void ResumeReading() => Interlocked.Exchange(ref _readingPaused, null)?.TrySetResult();

    /// <summary>
    /// A connection as over a network rather than loopback: segments of an Ethernet MTU (loopback's 64 KB ones make
    /// the server's socket buffer megabytes) and a small, fixed window, so a client that stops reading holds up the
    /// server's sending soon, as a peer on a bad link does.
    /// </summary>
    private static Socket TcpSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 16 * 1024 };
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(6, 2, BitConverter.GetBytes(1400)); // IPPROTO_TCP, TCP_MAXSEG
        }

        return socket;
    }

    private Task WhileReadingPausedAsync() => Volatile.Read(ref _readingPaused)?.Task ?? Task.CompletedTask;

    /// <summary>Sends one packet: a datagram, or a framed packet in one write (sends come from several threads).</summary>
    private void Transmit(ReadOnlySpan<byte> packet)
    {
        if (!_iceTcp)
        {
            _socket.Send(packet);
            return;
        }

        var frame = new byte[packet.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)packet.Length);
        packet.CopyTo(frame.AsSpan(2));
        lock (_tcpSend)
        {
            _socket.Send(frame);
        }
    }

    /// <summary>Reads the connection's packets one after another, each handled as a datagram would be.</summary>
    private async Task ReceiveFramesAsync()
    {
        var header = new byte[2];
        var buffer = new byte[MaxFrame];
        try
        {
            while (!_closed.IsCancellationRequested)
            {
                await WhileReadingPausedAsync().ConfigureAwait(false);
                await ReadExactlyAsync(header).ConfigureAwait(false);
                int length = BinaryPrimitives.ReadUInt16BigEndian(header);
                if (length > MaxFrame)
                {
                    return;
                }

                await ReadExactlyAsync(buffer.AsMemory(0, length)).ConfigureAwait(false);
                Handle(buffer.AsSpan(0, length));
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException or EndOfStreamException)
        {
            // the client or the server closed the connection
        }
    }

    private async Task ReadExactlyAsync(Memory<byte> destination)
    {
        for (int read = 0; read < destination.Length;)
        {
            int n = await _socket.ReceiveAsync(destination[read..], SocketFlags.None, _closed.Token).ConfigureAwait(false);
            read += n > 0 ? n : throw new EndOfStreamException();
        }
    }
}
