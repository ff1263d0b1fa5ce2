using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Stagecast.Streaming.Logging;

namespace Stagecast.FfmpegProcesses;

/// <summary>
/// One ffmpeg child process (started by <see cref="FfmpegLauncher"/>): fed through stdin, read from
/// <see cref="Output"/> (its stdout). Feeders write into <see cref="Input"/>, pooled buffers that go into the stdin queue
/// as they are. Writes never block the caller: input goes through a bounded queue, and when ffmpeg falls that far
/// behind new input is dropped. Its stderr is read as it comes and logged, at most so many lines
/// a minute (<see cref="LogLimiter"/>), each cut at <see cref="MaxErrorLineLength"/>; the last lines are kept for
/// <see cref="LastErrors"/>. <see cref="Exited"/> completes when the process ends, however it ends, and its stderr is
/// read; disposing kills it (SIGKILL, which it cannot ignore) if it still runs.
/// </summary>
public sealed partial class FfmpegChild : IAsyncDisposable
{
    public const int MaxErrorLineLength = 1024;

    /// <summary>How long disposing waits for a killed child and its pipes to close.</summary>
    public static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    private const int KeptErrorLines = 4;
    private readonly Process _process;
    private readonly Channel<InputChunk> _input;
    private readonly int _maxQueuedWrites;
    private readonly Task _writer;
    private readonly Task _stderr;
    private readonly ILogger _logger;
    private readonly LogLimiter _errors;
    private readonly TimeProvider _time;
    private readonly Queue<string> _lastErrors = new();
    private readonly Action<FfmpegChild> _onDisposed;
    private int _queuedWrites;
    private int _exitCode = -1;
    private int _disposed;

    internal FfmpegChild(Process process, string name, int maxQueuedWrites, ILogger logger, LogLimiter errors, TimeProvider time, Action<FfmpegChild> onDisposed)
    {
        _process = process;
        Name = name;
        ProcessId = process.Id;
        _logger = logger;
        _errors = errors;
        _time = time;
        _onDisposed = onDisposed;
        _maxQueuedWrites = maxQueuedWrites;
        _input = Channel.CreateUnbounded<InputChunk>(); // bounded in writes, by TryQueue (one reader, but counted: not SingleReader)
        Input = new FfmpegInput(this);
        Output = PipeReader.Create(process.StandardOutput.BaseStream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        _writer = Task.Run(WriteLoopAsync);
        _stderr = Task.Run(ReadErrorsAsync);
        Exited = WaitForExitAsync();
    }

    /// <summary>What the child is for, in the log ("recorder", "video decoder").</summary>
    public string Name { get; }

    public int ProcessId { get; }

    /// <summary>Where its next input is written, then committed to the stdin queue (one feeder at a time).</summary>
    public FfmpegInput Input { get; }

    /// <summary>Its stdout.</summary>
    public PipeReader Output { get; }

    /// <summary>Completes when the process has ended and what it wrote to stderr is read (<see cref="LastErrors"/> is complete).</summary>
    public Task Exited { get; }

    /// <summary>Its exit code once <see cref="Exited"/> completed (128 + the signal's number when a signal ended it).</summary>
    public int ExitCode => Volatile.Read(ref _exitCode);

    /// <summary>Writes (commits) waiting for ffmpeg's stdin.</summary>
    public int Queued => Volatile.Read(ref _queuedWrites);

    /// <summary>The last few lines it wrote to stderr, one per line (what went wrong, when something did).</summary>
    public string LastErrors
    {
        get
        {
            lock (_lastErrors)
            {
                return string.Join('\n', _lastErrors);
            }
        }
    }

    /// <summary>
    /// Queues the first <paramref name="length"/> bytes of a buffer rented from <see cref="ArrayPool{T}.Shared"/>,
    /// which is returned once written or dropped (dropped when the queue is full); false when the process is gone.
    /// </summary>
    public bool TryWriteOwned(byte[] pooled, int length) => TryQueue([new InputChunk(pooled, length, EndsWrite: true)]);

    /// <summary>
    /// Queues one write made of <paramref name="chunks"/> (pooled buffers, the last one ending it), or drops it whole
    /// when the queue holds its most writes; false when the process is gone. Every buffer is returned once written or dropped.
    /// </summary>
    internal bool TryQueue(ReadOnlySpan<InputChunk> chunks)
    {
        if (Volatile.Read(ref _queuedWrites) >= _maxQueuedWrites)
        {
            ReturnPooled(chunks);
            return true; // dropped: ffmpeg is that far behind
        }

        Interlocked.Increment(ref _queuedWrites);
        for (int i = 0; i < chunks.Length; i++)
        {
            if (!_input.Writer.TryWrite(chunks[i]))
            {
                ReturnPooled(chunks[i..]); // the process is gone; what was queued is returned by the write loop
                return false;
            }
        }

        return true;
    }

    /// <summary>No more input: what is queued is written, then stdin closes (ffmpeg finishes its output and exits).</summary>
    public void CompleteInput() => _input.Writer.TryComplete();

    /// <summary>Closes stdin and waits, at most <paramref name="limit"/>, for ffmpeg to finish its output and exit; true when it did.</summary>
    public async Task<bool> FinishAsync(TimeSpan limit)
    {
        CompleteInput();
        await Exited.WaitAsync(limit, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return Exited.IsCompleted;
    }

    /// <summary>Kills it (and anything it started) now; nothing happens when it has already exited.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // already gone
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _input.Writer.TryComplete();
        if (!Exited.IsCompleted)
        {
            Kill();
        }

        await Task.WhenAll(Exited, _writer).WaitAsync(KillWait, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Output.CompleteAsync().ConfigureAwait(false);
        _process.Dispose();
        _onDisposed(this);
    }

    private async Task WaitForExitAsync()
    {
        await _process.WaitForExitAsync().ConfigureAwait(false);
        Volatile.Write(ref _exitCode, _process.ExitCode);
        await _stderr.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        var stdin = _process.StandardInput.BaseStream;
        try
        {
            await foreach (var chunk in _input.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    await stdin.WriteAsync(chunk.Array.AsMemory(0, chunk.Length)).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk.Array);
                    if (chunk.EndsWrite)
                    {
                        Interlocked.Decrement(ref _queuedWrites);
                    }
                }

                if (_input.Reader.Count == 0)
                {
                    await stdin.FlushAsync().ConfigureAwait(false);
                }
            }
        }
        catch (IOException)
        {
            // ffmpeg exited; Exited reports it
        }
        finally
        {
            _input.Writer.TryComplete();
            while (_input.Reader.TryRead(out var left))
            {
                ArrayPool<byte>.Shared.Return(left.Array);
            }

            try
            {
                stdin.Close();
            }
            catch (IOException)
            {
            }
        }
    }

    private static void ReturnPooled(ReadOnlySpan<InputChunk> chunks)
    {
        foreach (var chunk in chunks)
        {
            ArrayPool<byte>.Shared.Return(chunk.Array);
        }
    }

    /// <summary>Reads stderr to its end, line by line; a line longer than the limit is cut there and the rest skipped.</summary>
    private async Task ReadErrorsAsync()
    {
        var reader = PipeReader.Create(_process.StandardError.BaseStream, new StreamPipeReaderOptions(bufferSize: 4096));
        try
        {
            bool cut = false;
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    if (!cut)
                    {
                        Report(buffer.Slice(0, end));
                    }

                    cut = false;
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                }

                if (buffer.Length >= MaxErrorLineLength || (result.IsCompleted && !buffer.IsEmpty))
                {
                    if (!cut)
                    {
                        Report(buffer);
                    }

                    cut = true;
                    buffer = buffer.Slice(buffer.End);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (IOException)
        {
            // the pipe broke with the process
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private void Report(ReadOnlySequence<byte> bytes)
    {
        string line = Encoding.UTF8.GetString(bytes.Length > MaxErrorLineLength ? bytes.Slice(0, MaxErrorLineLength) : bytes).Trim();
        if (line.Length == 0)
        {
            return;
        }

        lock (_lastErrors)
        {
            if (_lastErrors.Count == KeptErrorLines)
            {
                _lastErrors.Dequeue();
            }

            _lastErrors.Enqueue(line);
        }

        if (!_errors.TryLog(out long suppressed))
        {
            return;
        }

        if (suppressed > 0)
        {
            Log.ErrorLineAfterSuppressed(_logger, Name, ProcessId, line, suppressed);
        }
        else
        {
            Log.ErrorLine(_logger, Name, ProcessId, line);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "ffmpeg ({Name}, pid {ProcessId}): {Line}")]
        public static partial void ErrorLine(ILogger logger, string name, int processId, string line);

        [LoggerMessage(2, LogLevel.Warning, "ffmpeg ({Name}, pid {ProcessId}): {Line} ({Suppressed} earlier lines left out)")]
        public static partial void ErrorLineAfterSuppressed(ILogger logger, string name, int processId, string line, long suppressed);
    }
}
