using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// One accepted TCP connection on an <see cref="EventLoop"/>, as Kestrel sees it: a duplex pipe to the
/// application. Received bytes go into the input pipe on the loop thread and the application's reader runs at
/// once on that thread (inline scheduling). Whatever the application flushes is sent from the thread that
/// flushed, without blocking: a full socket buffer waits for EPOLLOUT. The socket is closed on the loop thread
/// only, so no read or event can ever meet a reused file descriptor; sends hold a reference on the handle.
/// </summary>
internal sealed partial class EventLoopConnection : ConnectionContext
{
    private static long s_lastId;

    private readonly Socket _socket;
    private readonly SafeSocketHandle _handle;
    private readonly int _fd;
    private readonly EventLoop _loop;
    private readonly Pipe _input = new(InputOptions);
    private readonly Pipe _output = new(OutputOptions);
    private readonly CancellationTokenSource _connectionClosed = new();
    private readonly TaskCompletionSource _socketClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _sending;
    private int _closeRequested;
    private int _closedFired;
    private volatile bool _closing;

    public EventLoopConnection(Socket socket, EventLoop loop)
    {
        _socket = socket;
        _handle = socket.SafeHandle;
        _fd = (int)_handle.DangerousGetHandle();
        _loop = loop;
        _flushCompleted = () => _loop.Post(this, LoopWork.ResumeAfterFlush);
        ConnectionId = $"tcp-{Interlocked.Increment(ref s_lastId)}";
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        Transport = new DuplexPipe(_input.Reader, _output.Writer);
        Features.Set<IConnectionSocketFeature>(new SocketFeature(socket));
        _sending = SendLoopAsync();
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override IDictionary<object, object?> Items { get; set; } = new ConnectionItems();

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed => _connectionClosed.Token;

    public override EndPoint? LocalEndPoint { get; set; }

    public override EndPoint? RemoteEndPoint { get; set; }

    /// <summary>Hands the socket to its loop, which starts watching it.</summary>
    public void Start() => _loop.Post(this, LoopWork.Register);

    public override void Abort(ConnectionAbortedException abortReason) => RequestClose();

    /// <summary>Called by Kestrel once the application is done: what it wrote goes out (for a few seconds at most), then the socket closes.</summary>
    public override async ValueTask DisposeAsync()
    {
        _input.Reader.Complete();
        _output.Writer.Complete();
        try
        {
            await _sending.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The peer stopped reading; close regardless.
        }

        RequestClose();
        await _socketClosed.Task.ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Epoll reported events for this socket (loop thread).</summary>
    public void OnEvents(uint events)
    {
        if (_closed)
        {
            return;
        }

        if ((events & (LinuxNative.EpollOut | LinuxNative.EpollErr | LinuxNative.EpollHup)) != 0)
        {
            Interlocked.Exchange(ref _writable, null)?.TrySetResult();
        }

        if ((events & (LinuxNative.EpollRdHup | LinuxNative.EpollHup | LinuxNative.EpollErr)) != 0)
        {
            _peerHungUp = true;
        }

        if ((events & (LinuxNative.EpollIn | LinuxNative.EpollRdHup | LinuxNative.EpollHup | LinuxNative.EpollErr)) != 0)
        {
            Receive();
        }
    }

    /// <summary>Work posted by another thread (loop thread).</summary>
    public void OnWork(LoopWork work)
    {
        switch (work)
        {
            case LoopWork.Register:
                Register();
                break;
            case LoopWork.Receive when !_closed:
                Receive();
                break;
            case LoopWork.ResumeAfterFlush:
                ResumeAfterFlush();
                break;
            case LoopWork.Close:
                CloseSocket();
                break;
        }
    }

    private void Register()
    {
        if (_closed)
        {
            return;
        }

        _registration = GCHandle.Alloc(this);
        try
        {
            _loop.Watch(_fd, (ulong)GCHandle.ToIntPtr(_registration));
            _registered = true;
        }
        catch (IOException)
        {
            _registration.Free();
            CloseSocket();
        }
    }

    private void RequestClose()
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) == 0)
        {
            _loop.Post(this, LoopWork.Close);
        }
    }

    /// <summary>Closes the socket (loop thread): stops watching it, fails a waiting send, ends the input.</summary>
    private void CloseSocket()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _closing = true;
        Interlocked.Exchange(ref _writable, null)?.TrySetException(new ConnectionAbortedException("the connection was closed"));
        if (_registered)
        {
            _loop.Unwatch(_fd, _registration);
        }

        _loop.Detach();
        _socket.Dispose();
        _inputError ??= new ConnectionAbortedException("the connection was closed");
        if (_flushing)
        {
            _input.Writer.CancelPendingFlush(); // the resume completes the input
        }
        else
        {
            EndInput();
        }

        FireConnectionClosed();
        _socketClosed.TrySetResult();
    }

    private void FireConnectionClosed()
    {
        if (Interlocked.Exchange(ref _closedFired, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static cts => cts.Cancel(), _connectionClosed, preferLocal: false);
        }
    }

    /// <summary>The socket, for applications that send with it directly (playback's <c>sendfile</c>).</summary>
    private sealed class SocketFeature(Socket socket) : IConnectionSocketFeature
    {
        public Socket Socket { get; } = socket;
    }
}
