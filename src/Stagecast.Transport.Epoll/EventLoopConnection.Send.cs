using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace Stagecast.Transport.Epoll;

/// <summary>The send side: runs on whichever thread flushes the output pipe.</summary>
internal sealed partial class EventLoopConnection
{
    /// <summary>An application that writes faster than the peer reads waits in FlushAsync past 256 KiB.</summary>
    private static readonly PipeOptions OutputOptions = new(
        pauseWriterThreshold: 256 * 1024,
        resumeWriterThreshold: 128 * 1024,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        useSynchronizationContext: false);

    private TaskCompletionSource? _writable;

    private async Task SendLoopAsync()
    {
        var reader = _output.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                foreach (var segment in buffer)
                {
                    var remaining = segment;
                    while (!remaining.IsEmpty)
                    {
                        int sent = TrySend(remaining.Span);
                        if (sent < 0)
                        {
                            // Publish the waiter, then try once more: an EPOLLOUT edge in between cannot be lost.
                            var writable = WaitForWritable();
                            sent = TrySend(remaining.Span);
                            if (sent < 0)
                            {
                                await writable.ConfigureAwait(false);
                                continue;
                            }

                            Interlocked.Exchange(ref _writable, null);
                        }

                        remaining = remaining[sent..];
                    }
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ConnectionAbortedException or ConnectionResetException)
        {
            error = ex;
            RequestClose();
        }
        finally
        {
            reader.Complete(error);
        }
    }

    /// <summary>Sends what the socket buffer takes now; -1 when it is full.</summary>
    private int TrySend(ReadOnlySpan<byte> data)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            while (true)
            {
                nint sent = LinuxNative.Send(_fd, ref MemoryMarshal.GetReference(data), data.Length, LinuxNative.MsgDontWait | LinuxNative.MsgNoSignal);
                if (sent >= 0)
                {
                    return (int)sent;
                }

                int error = LinuxNative.LastError;
                if (error == LinuxNative.Eagain)
                {
                    return -1;
                }

                if (error != LinuxNative.Eintr)
                {
                    throw error is LinuxNative.Epipe or LinuxNative.Econnreset
                        ? new ConnectionResetException("the peer closed the connection")
                        : new IOException($"send failed with errno {error}");
                }
            }
        }
        catch (ObjectDisposedException)
        {
            throw new ConnectionAbortedException("the connection was closed");
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>A task that completes at the next EPOLLOUT; closing the socket fails it.</summary>
    private Task WaitForWritable()
    {
        var waiter = new TaskCompletionSource();
        Volatile.Write(ref _writable, waiter);
        return _closing ? Task.FromException(new ConnectionAbortedException("the connection was closed")) : waiter.Task;
    }
}
