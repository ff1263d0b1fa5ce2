using Stagecast.Srt.Native;
using Stagecast.Srt.Sessions;

namespace Stagecast.Srt.Server;

/// <summary>
/// The connection loop: one thread waits on libsrt's epoll for the listener and every connection, accepts, reads,
/// closes, runs work posted from other threads, follows the handshakes the callback let on until they are accepted or
/// fail, and once a second checks the connections' deadlines. libsrt's epoll wait polls every 10 ms however long it
/// is asked to wait, so while nothing is open or on its way the loop leaves it and sleeps until the handshake callback
/// admits a caller (or work is posted, or the server stops); after <see cref="DormantAfter"/> of that libsrt itself
/// sleeps until the next caller knocks (<see cref="SrtServer"/>.Dormancy).
/// </summary>
public sealed partial class SrtServer
{
    private const int MaxEvents = 64;
    private static readonly TimeSpan CheckPeriod = TimeSpan.FromSeconds(1);

    private void Run()
    {
        var events = new int[2 * MaxEvents]; // SRT_EPOLL_EVENT: { SRTSOCKET fd; int events; }
        var buffer = new byte[LibSrt.MaxMessageSize];
        long checkedAt = time.GetTimestamp();
        try
        {
            while (!_stopping)
            {
                if (!_awake)
                {
                    RunDormant();
                    continue;
                }

                if (_connections.IsEmpty && _posted.IsEmpty && _admitted.IsEmpty)
                {
                    IdleAwake();
                    continue;
                }

                Busy();

                // Posted work and closes wait at most a tenth of a second.
                int count = LibSrt.EpollWait(_epoll, ref events[0], MaxEvents, 100);
                for (int i = 0; i < count; i++)
                {
                    OnEvent(events[2 * i], events[(2 * i) + 1], buffer);
                }

                while (_posted.TryDequeue(out var work))
                {
                    RunPosted(work);
                }

                long now = time.GetTimestamp();
                if (!_admitted.IsEmpty)
                {
                    CheckAdmitted(now);
                }

                if (time.GetElapsedTime(checkedAt, now) >= CheckPeriod)
                {
                    checkedAt = now;
                    CheckTimeouts(now);
                    _keyAnswers.Sweep(now);
                }
            }
        }
        catch (Exception ex)
        {
            SrtLog.LoopFailed(logger, ex);
        }
        finally
        {
            foreach (var connection in _connections.Values)
            {
                CloseQuietly(connection, "server shutting down");
            }
        }
    }

    /// <summary>While libsrt sleeps: runs what was posted (connections that ended before), wakes libsrt when a caller knocked.</summary>
    private void RunDormant()
    {
        while (_posted.TryDequeue(out var work))
        {
            RunPosted(work);
        }

        if (!_stopping && AwaitSignal(port: true))
        {
            Wake();
        }
    }

    private void OnEvent(int socket, int events, byte[] buffer)
    {
        if (socket == _listener)
        {
            AcceptAll();
            return;
        }

        if (!_connections.TryGetValue(socket, out var connection))
        {
            return;
        }

        try
        {
            if ((events & LibSrt.EpollIn) != 0)
            {
                connection.OnReadable(buffer);
            }

            if ((events & LibSrt.EpollErr) != 0 && !connection.IsClosed)
            {
                CloseQuietly(connection, connection.OnDisconnected(time.GetTimestamp()));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A fault in one connection's handling (a bug, an input no check foresaw) closes that one; the loop goes on.
            SrtLog.ConnectionFailed(logger, ex, connection.Remote);
            CloseQuietly(connection, $"failed: {ex.Message}");
        }
    }

    private void RunPosted(Action work)
    {
        try
        {
            work();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SrtLog.ConnectionFailed(logger, ex, "(posted work)");
        }
    }

    private void AcceptAll()
    {
        Span<byte> address = stackalloc byte[SockAddr.MaxLength];
        while (!_stopping)
        {
            int length = SockAddr.MaxLength;
            int socket = LibSrt.Accept(_listener, ref address[0], ref length);
            if (socket == LibSrt.Error)
            {
                return; // no more waiting callers
            }

            var connection = Connect(socket);
            int events = LibSrt.EpollIn | LibSrt.EpollErr;
            if (connection is null || LibSrt.EpollAdd(_epoll, socket, ref events) == LibSrt.Error)
            {
                if (connection is not null)
                {
                    admission.Leave(connection.Address);
                }

                _ = LibSrt.Close(socket);
                continue;
            }

            _connections[socket] = connection;
            connection.Start();
        }
    }

    private void CheckTimeouts(long now)
    {
        foreach (var connection in _connections.Values)
        {
            if (connection.CheckTimeouts(now) is { } reason)
            {
                CloseBroken(connection, reason);
            }
        }
    }

    void ISrtConnectionHost.CloseBroken(SrtConnection connection, string reason) => CloseBroken(connection, reason);

    void ISrtConnectionHost.Refuse(SrtConnection connection, string reason) => Refuse(connection, reason);

    void ISrtConnectionHost.CloseQuietly(SrtConnection connection, string reason) => CloseQuietly(connection, reason);

    /// <summary>Closes a connection that broke the rules (malformed media, a deadline): logged as a warning, rate-limited.</summary>
    private void CloseBroken(SrtConnection connection, string reason)
    {
        if (_refusals.TryLog(out long suppressed))
        {
            if (suppressed > 0)
            {
                SrtLog.Suppressed(logger, suppressed);
            }

            SrtLog.Broken(logger, connection.Remote, reason);
        }

        CloseQuietly(connection, reason);
    }

    /// <summary>Closes a connection refused after it was accepted (its key was checked late, or the stream is taken).</summary>
    private void Refuse(SrtConnection connection, string reason)
    {
        LogRefusal(connection.Remote, reason);
        CloseQuietly(connection, reason);
    }

    /// <summary>Closes a connection on the loop; its publisher, if any, leaves its stream waiting for a reconnect.</summary>
    private void CloseQuietly(SrtConnection connection, string reason)
    {
        if (connection.IsClosed)
        {
            return;
        }

        connection.Close(reason);
        if (_connections.TryRemove(connection.Socket, out _))
        {
            // libsrt fails these only for a socket already gone: nothing is left to do either way.
            _ = LibSrt.EpollRemove(_epoll, connection.Socket);
            _ = LibSrt.Close(connection.Socket);
            admission.Leave(connection.Address);
        }

        SrtLog.Closed(logger, connection.Remote, reason);
    }
}
