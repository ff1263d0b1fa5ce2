using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// One I/O thread with its own epoll set. Connections are watched edge-triggered; when one becomes readable the
/// loop reads everything there is and runs the connection's protocol code right here, on this thread, before it
/// waits again: no hand-off to the thread pool per read, no thread woken per message. When it watches many sockets,
/// after such a turn it lets their next data gather for the read pacing interval, so that one wake-up serves many
/// of them. Other
/// threads reach the loop through <see cref="Post"/> (a queue and an eventfd), also while it paces.
/// </summary>
internal sealed partial class EventLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const ulong WakeToken = 0;

    private readonly int _epoll;
    private readonly int _pacing;
    private readonly int _paceMilliseconds;
    private readonly int _paceFromConnections;
    private readonly LoopWakeup _wake = new();
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<(EventLoopConnection Connection, LoopWork Work)> _work = new();
    private readonly List<GCHandle> _released = [];
    private int _connections;
    private volatile bool _stopping;

    public EventLoop(string name, EventLoopTransportOptions options, ILogger logger)
    {
        _logger = logger;
        _paceMilliseconds = (int)Math.Ceiling(options.ReadPacing.TotalMilliseconds);
        _paceFromConnections = options.ReadPacingFromConnections;
        _epoll = Check(LinuxNative.EpollCreate(LinuxNative.EpollCloexec), "epoll_create1");
        _pacing = Check(LinuxNative.EpollCreate(LinuxNative.EpollCloexec), "epoll_create1");
        Span<byte> registration = stackalloc byte[16];
        LinuxNative.WriteEpollEvent(registration, LinuxNative.EpollIn, WakeToken);
        Check(LinuxNative.EpollControl(_epoll, LinuxNative.EpollCtlAdd, _wake.Fd, ref registration[0]), "epoll_ctl");
        Check(LinuxNative.EpollControl(_pacing, LinuxNative.EpollCtlAdd, _wake.Fd, ref registration[0]), "epoll_ctl");
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public bool IsCurrentThread => Thread.CurrentThread == _thread;

    /// <summary>Connections given to this loop and not yet closed: what the transport fills loops by and the pacing counts.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>A connection was given to this loop; <see cref="Detach"/> when its socket closes.</summary>
    public void Attach() => Interlocked.Increment(ref _connections);

    public void Detach() => Interlocked.Decrement(ref _connections);

    /// <summary>Queues work for a connection to run on the loop thread.</summary>
    public void Post(EventLoopConnection connection, LoopWork work)
    {
        _work.Enqueue((connection, work));
        _wake.Signal();
    }

    /// <summary>Adds a socket to the epoll set (loop thread only). <paramref name="token"/> comes back with its events.</summary>
    public void Watch(int fd, ulong token)
    {
        Span<byte> registration = stackalloc byte[16];
        LinuxNative.WriteEpollEvent(registration,
            LinuxNative.EpollIn | LinuxNative.EpollOut | LinuxNative.EpollRdHup | LinuxNative.EpollEt, token);
        Check(LinuxNative.EpollControl(_epoll, LinuxNative.EpollCtlAdd, fd, ref registration[0]), "epoll_ctl");
    }

    /// <summary>Removes a socket from the epoll set; its handle is freed after the current batch of events.</summary>
    public void Unwatch(int fd, GCHandle handle)
    {
        Span<byte> unused = stackalloc byte[16];
        LinuxNative.EpollControl(_epoll, LinuxNative.EpollCtlDel, fd, ref unused[0]);
        _released.Add(handle);
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Kick();
        _thread.Join(TimeSpan.FromSeconds(5));
        _wake.Dispose();
        LinuxNative.Close(_pacing);
        LinuxNative.Close(_epoll);
    }

    private void Run()
    {
        var events = new byte[MaxEvents * LinuxNative.EpollEventSize];
        while (!_stopping)
        {
            int count = LinuxNative.EpollWait(_epoll, ref events[0], MaxEvents, -1);
            if (count < 0)
            {
                int error = LinuxNative.LastError;
                if (error != LinuxNative.Eintr)
                {
                    Log.WaitFailed(_logger, error);
                    Thread.Sleep(10);
                }

                continue;
            }

            bool sockets = false;
            for (int i = 0; i < count; i++)
            {
                var (flags, token) = LinuxNative.ReadEpollEvent(events, i);
                if (token == WakeToken)
                {
                    _wake.Drain();
                }
                else if (GCHandle.FromIntPtr((nint)token).Target is EventLoopConnection connection)
                {
                    sockets = true;
                    Dispatch(connection, flags, LoopWork.Receive);
                }
            }

            RunPostedWork();
            if (sockets)
            {
                Pace(events);
            }
        }
    }

    /// <summary>
    /// After a turn that served sockets of a busy loop, only posted work runs for the pacing interval: the sockets'
    /// next edges gather meanwhile and the next turn takes them all in one wake-up, instead of one wake-up (and one
    /// trip through the scheduler) per arriving TCP segment. An idle loop is not paced: it blocks until something
    /// happens; nor is one with few connections, where each wake-up serves one socket anyway.
    /// </summary>
    private void Pace(byte[] events)
    {
        if (_paceMilliseconds <= 0 || Connections < _paceFromConnections)
        {
            return;
        }

        long started = Environment.TickCount64;
        int left = _paceMilliseconds;
        while (left > 0 && !_stopping)
        {
            if (LinuxNative.EpollWait(_pacing, ref events[0], 1, left) > 0)
            {
                _wake.Drain();
                RunPostedWork();
            }

            left = _paceMilliseconds - (int)(Environment.TickCount64 - started);
        }
    }

    private void RunPostedWork()
    {
        while (_work.TryDequeue(out var item))
        {
            Dispatch(item.Connection, 0, item.Work);
        }

        foreach (var handle in _released)
        {
            handle.Free();
        }

        _released.Clear();
    }

    /// <summary>Runs a connection's turn; a failure closes that connection and never stops the loop.</summary>
    private void Dispatch(EventLoopConnection connection, uint events, LoopWork work)
    {
        try
        {
            if (events != 0)
            {
                connection.OnEvents(events);
            }
            else
            {
                connection.OnWork(work);
            }
        }
        catch (Exception ex)
        {
            Log.ConnectionFailed(_logger, ex, connection.ConnectionId);
            connection.OnWork(LoopWork.Close);
        }
    }

    private static int Check(int result, string call) =>
        result >= 0 ? result : throw new IOException($"{call} failed with errno {LinuxNative.LastError}");

    private static partial class Log
    {
        [LoggerMessage(120, LogLevel.Error, "epoll_wait failed with errno {Errno}")]
        public static partial void WaitFailed(ILogger logger, int errno);

        [LoggerMessage(121, LogLevel.Error, "I/O on connection {ConnectionId} failed; closing it")]
        public static partial void ConnectionFailed(ILogger logger, Exception exception, string connectionId);
    }
}

/// <summary>What another thread asks the loop to do for a connection.</summary>
internal enum LoopWork
{
    Register,
    Receive,
    ResumeAfterFlush,
    Close,
}
