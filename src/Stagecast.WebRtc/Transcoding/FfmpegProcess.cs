using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>
/// An ffmpeg child process fed through stdin and read from stdout. Writes never block the caller: input goes through a
/// bounded queue, and when ffmpeg falls that far behind new input is dropped. <see cref="Exited"/>
/// completes when the process ends, however it ends; stderr goes to the log.
/// </summary>
public sealed class FfmpegProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<(byte[] Array, int Length)> _input;

    private readonly Task _writer;
    private readonly Task _stderr;
    private readonly ILogger _logger;

    private FfmpegProcess(Process process, int maxQueuedWrites, ILogger logger)
    {
        _process = process;
        _input = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(maxQueuedWrites)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.DropWrite,
        }, ReturnPooled); // a write dropped for a full queue gives its buffer back
        _logger = logger;
        Output = PipeReader.Create(process.StandardOutput.BaseStream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        _writer = Task.Run(WriteLoopAsync);
        _stderr = Task.Run(LogErrorsAsync);
        Exited = process.WaitForExitAsync();
    }

    public PipeReader Output { get; }

    public int ProcessId => _process.Id;

    public Task Exited { get; }

    /// <summary>Starts ffmpeg with the given arguments; at most <paramref name="maxQueuedWrites"/> writes wait for its stdin.</summary>
    public static FfmpegProcess Start(string ffmpeg, IEnumerable<string> arguments, ILogger logger, int maxQueuedWrites = 512)
    {
        var info = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-hide_banner");
        info.ArgumentList.Add("-nostdin");
        info.ArgumentList.Add("-loglevel");
        info.ArgumentList.Add("error");
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {ffmpeg}");
        return new FfmpegProcess(process, maxQueuedWrites, logger);
    }

    /// <summary>Queues a copy of the bytes for stdin (dropped when the queue is full); false when the process is gone.</summary>
    public bool TryWrite(ReadOnlySpan<byte> data)
    {
        byte[] copy = ArrayPool<byte>.Shared.Rent(Math.Max(1, data.Length));
        data.CopyTo(copy);
        return TryWriteOwned(copy, data.Length);
    }

    /// <summary>
    /// Queues the first <paramref name="length"/> bytes of a buffer rented from <see cref="ArrayPool{T}.Shared"/>,
    /// which is returned once written or dropped (large inputs such as raw pictures go without a copy).
    /// </summary>
    public bool TryWriteOwned(byte[] pooled, int length)
    {
        if (_input.Writer.TryWrite((pooled, length)))
        {
            return true;
        }

        ArrayPool<byte>.Shared.Return(pooled); // completed: the process is gone (a full queue returns it in the callback)
        return false;
    }

    /// <summary>No more input: what is queued is written, then stdin closes (ffmpeg finishes its output and exits).</summary>
    public void CompleteInput() => _input.Writer.TryComplete();

    /// <summary>Writes waiting for ffmpeg's stdin.</summary>
    public int Queued => _input.Reader.Count;

    public async ValueTask DisposeAsync()
    {
        _input.Writer.TryComplete();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        await Task.WhenAll(Exited, _writer, _stderr).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Output.CompleteAsync().ConfigureAwait(false);
        _process.Dispose();
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
                    ReturnPooled(chunk);
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
                ReturnPooled(left);
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

    private static void ReturnPooled((byte[] Array, int Length) chunk) => ArrayPool<byte>.Shared.Return(chunk.Array);

    private async Task LogErrorsAsync()
    {
        string? line;
        while ((line = await _process.StandardError.ReadLineAsync().ConfigureAwait(false)) is not null)
        {
            _logger.LogWarning("ffmpeg: {Line}", line);
        }
    }
}
