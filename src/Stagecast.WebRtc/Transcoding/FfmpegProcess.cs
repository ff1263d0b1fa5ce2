using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>
/// An ffmpeg child process fed through stdin and read from stdout. Writes never block the caller: input goes through a
/// bounded queue, and when ffmpeg falls that far behind new input is dropped (and counted). <see cref="Exited"/>
/// completes when the process ends, however it ends; stderr goes to the log.
/// </summary>
public sealed class FfmpegProcess : IAsyncDisposable
{
    private const int MaxQueuedWrites = 512;

    private readonly Process _process;
    private readonly Channel<byte[]> _input = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(MaxQueuedWrites)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    private readonly Task _writer;
    private readonly Task _stderr;
    private readonly ILogger _logger;

    private FfmpegProcess(Process process, ILogger logger)
    {
        _process = process;
        _logger = logger;
        Output = PipeReader.Create(process.StandardOutput.BaseStream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        _writer = Task.Run(WriteLoopAsync);
        _stderr = Task.Run(LogErrorsAsync);
        Exited = process.WaitForExitAsync();
    }

    public PipeReader Output { get; }

    public int ProcessId => _process.Id;

    public Task Exited { get; }

    public static FfmpegProcess Start(string ffmpeg, IEnumerable<string> arguments, ILogger logger)
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
        return new FfmpegProcess(process, logger);
    }

    /// <summary>Queues bytes for stdin; false when the queue is full (the bytes are dropped) or the process is gone.</summary>
    public bool TryWrite(ReadOnlySpan<byte> data)
    {
        return _input.Writer.TryWrite(data.ToArray());
    }

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
            await foreach (byte[] chunk in _input.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                await stdin.WriteAsync(chunk).ConfigureAwait(false);
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
            try
            {
                stdin.Close();
            }
            catch (IOException)
            {
            }
        }
    }

    private async Task LogErrorsAsync()
    {
        string? line;
        while ((line = await _process.StandardError.ReadLineAsync().ConfigureAwait(false)) is not null)
        {
            _logger.LogWarning("ffmpeg: {Line}", line);
        }
    }
}
