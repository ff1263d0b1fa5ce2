using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Connections;

namespace Stagecast.Transport.Epoll;

/// <summary>The receive side, all on the loop thread.</summary>
internal sealed partial class EventLoopConnection
{
    /// <summary>Each recv asks for at least this much, so one call usually drains the socket.</summary>
    private const int MinimumReadSize = 16 * 1024;

    /// <summary>After this much in one turn the connection yields to the others on its loop, and continues next turn.</summary>
    private const int MaxReadPerTurn = 512 * 1024;

    /// <summary>
    /// The application reads on the thread that fills the pipe; past 1 MiB unread (an application waiting on
    /// something else) the loop stops reading this socket until it catches up, and TCP pushes back on the peer.
    /// </summary>
    private static readonly PipeOptions InputOptions = new(
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline,
        minimumSegmentSize: 32 * 1024,
        useSynchronizationContext: false);

    private readonly Action _flushCompleted;
    private GCHandle _registration;
    private bool _registered;
    private bool _closed;
    private bool _inputEnded;
    private bool _flushing;
    private bool _endOfInput;
    private bool _peerHungUp;
    private Exception? _inputError;
    private ValueTask<FlushResult> _pendingFlush;

    /// <summary>
    /// Reads what the socket holds and runs the application on it. Edge-triggered: a short read means the socket
    /// was drained and anything arriving later raises a new edge, so one recv per wakeup is the rule. Exceptions:
    /// once the peer hung up (EPOLLRDHUP), its end-of-stream came with the edge already seen, and after a pause
    /// edges may have gone by unread; then reading goes on until recv says there is nothing more.
    /// </summary>
    private void Receive(bool untilWouldBlock = false)
    {
        if (_inputEnded || _flushing)
        {
            return;
        }

        var writer = _input.Writer;
        int total = 0;
        bool yielded = false;
        while (true)
        {
            var memory = writer.GetMemory(MinimumReadSize);
            nint read = LinuxNative.Receive(_fd, ref MemoryMarshal.GetReference(memory.Span), memory.Length, LinuxNative.MsgDontWait);
            if (read > 0)
            {
                writer.Advance((int)read);
                total += (int)read;
                if (read < memory.Length && !untilWouldBlock && !_peerHungUp)
                {
                    break;
                }

                if (total >= MaxReadPerTurn)
                {
                    yielded = true;
                    break;
                }

                continue;
            }

            if (read == 0)
            {
                _endOfInput = true;
                break;
            }

            int error = LinuxNative.LastError;
            if (error == LinuxNative.Eintr)
            {
                continue;
            }

            if (error != LinuxNative.Eagain)
            {
                _inputError = ReceiveError(error);
            }

            break;
        }

        if (total > 0)
        {
            var flush = writer.FlushAsync(); // the application's reader runs here, inline
            if (!flush.IsCompleted)
            {
                _flushing = true;
                _pendingFlush = flush; // awaited by hand: the continuation posts ResumeAfterFlush, which reads the result once
                _pendingFlush.GetAwaiter().UnsafeOnCompleted(_flushCompleted);
                return;
            }

            if (flush.Result.IsCompleted)
            {
                EndInput();
                return;
            }
        }

        if (_endOfInput || _inputError is not null)
        {
            EndInput();
        }
        else if (yielded)
        {
            _loop.Post(this, LoopWork.Receive);
        }
    }

    /// <summary>The application caught up after the input pipe filled: read again (edges may have passed meanwhile).</summary>
    private void ResumeAfterFlush()
    {
        if (!_flushing)
        {
            return;
        }

        _flushing = false;
        var result = _pendingFlush.GetAwaiter().GetResult();
        _pendingFlush = default;
        if (result.IsCompleted || _closed || _endOfInput || _inputError is not null)
        {
            EndInput();
            return;
        }

        Receive(untilWouldBlock: true);
    }

    /// <summary>No more input: end of stream, a receive error, the application stopped reading, or the socket closed.</summary>
    private void EndInput()
    {
        if (_inputEnded)
        {
            return;
        }

        _inputEnded = true;
        _input.Writer.Complete(_inputError);
        FireConnectionClosed();
    }

    private static Exception ReceiveError(int errno) => errno == LinuxNative.Econnreset
        ? new ConnectionResetException("the peer reset the connection")
        : new IOException($"recv failed with errno {errno}");
}
