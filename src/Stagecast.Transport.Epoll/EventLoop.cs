using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Stagecast.Transport.Epoll;

/// <summary>
/// One I/O thread with its own epoll set. Connections are watched edge-triggered; when one becomes readable the
/// loop reads everything there is and runs the connection's protocol code right here, on this thread, before it
/// waits again: no hand-off to the thread pool per read, no thread woken per message. Other threads reach the
/// loop through <see cref="Post"/> (a queue and an eventfd).
/// </summary>
internal sealed partial class EventLoop : IDisposable
{
    private const int MaxEvents = 256;
    private const ulong WakeToken = 0;

    private readonly int _epoll;
    private readonly int _wake;
    private readonly Thread _thread;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<(EventLoopConnection Connection, LoopWork Work)> _work = new();
    private readonly List<GCHandle> _released = [];
    private int _wakePending;
    private volatile bool _stopping;

    public EventLoop(string name, ILogger logger)
    {
        _logger = logger;
        _epoll = Check(LinuxNative.EpollCreate(LinuxNative.EpollCloexec), "epoll_create1");
        _wake = Check(LinuxNative.EventFd(0, LinuxNative.EfdCloexec | LinuxNative.EfdNonblock), "eventfd");
        Span<byte> registration = stackalloc byte[16];
        LinuxNative.WriteEpollEvent(registration, LinuxNative.EpollIn, WakeToken);
        Check(LinuxNative.EpollControl(_epoll, LinuxNative.EpollCtlAdd, _wake, ref registration[0]), "epoll_ctl");
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public bool IsCurrentThread => Thread.CurrentThread == _thread;

    /// <summary>Queues work for a connection to run on the loop thread.</summary>
    public void Post(EventLoopConnection connection, LoopWork work)
    {
        _work.Enqueue((connection, work));
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            Span<byte> one = stackalloc byte[8];
            one[0] = 1;
            LinuxNative.Write(_wake, ref one[0], 8);
        }
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
        Span<byte> one = stackalloc byte[8];
        one[0] = 1;
        LinuxNative.Write(_wake, ref one[0], 8);
        _thread.Join(TimeSpan.FromSeconds(5));
        LinuxNative.Close(_wake);
        LinuxNative.Close(_epoll);
    }

    private void Run()
    {
        var events = new byte[MaxEvents * LinuxNative.EpollEventSize];
        var drain = new byte[8];
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

            for (int i = 0; i < count; i++)
            {
                var (flags, token) = LinuxNative.ReadEpollEvent(events, i);
                if (token == WakeToken)
                {
                    Volatile.Write(ref _wakePending, 0);
                    LinuxNative.Read(_wake, ref drain[0], 8);
                }
                else if (GCHandle.FromIntPtr((nint)token).Target is EventLoopConnection connection)
                {
                    Dispatch(connection, flags, LoopWork.Receive);
                }
            }

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
