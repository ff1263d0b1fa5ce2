using System.Buffers;
using Microsoft.Extensions.Logging;
using Stagecast.Media;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>
/// A WebRTC publisher's track in a codec readers cannot take, turned into one they can by ffmpeg: packets go in through
/// a container the subclass writes (with timestamps relative to the first packet), FLV comes back, and each tag is
/// published at the first packet's stream time plus its FLV time. One ffmpeg per track; when it dies it is started
/// again at the next packet and the stream carries on.
/// </summary>
public abstract class IngestTranscoder(string ffmpeg, Publisher publisher, ILogger logger) : IAsyncDisposable
{
    private readonly Lock _sync = new();
    private readonly ArrayBufferWriter<byte> _input = new(64 * 1024);
    private FfmpegProcess? _process;
    private long _anchorMs;
    private bool _disposed;

    public int Restarts { get; private set; }

    /// <summary>The running ffmpeg's process id, if one runs (diagnostics and tests).</summary>
    public int? ProcessId
    {
        get
        {
            lock (_sync)
            {
                return _process?.ProcessId;
            }
        }
    }

    protected Publisher Publisher => publisher;

    protected abstract IReadOnlyList<string> Arguments { get; }

    protected abstract string Name { get; }

    public async ValueTask DisposeAsync()
    {
        FfmpegProcess? process;
        lock (_sync)
        {
            _disposed = true;
            process = _process;
            _process = null;
        }

        if (process is not null)
        {
            await process.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Starts ffmpeg if needed (anchored at <paramref name="streamMs"/>) and queues what <paramref name="write"/> produces.</summary>
    protected void Feed(long streamMs, Action<IBufferWriter<byte>, bool, long> write)
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            bool starting = _process is null;
            if (starting)
            {
                _anchorMs = streamMs;
                var process = FfmpegProcess.Start(ffmpeg, Arguments, logger);
                _process = process;
                _ = Task.Run(() => ReadAsync(process, streamMs));
            }

            _input.ResetWrittenCount();
            write(_input, starting, streamMs - _anchorMs);
            _process!.TryWrite(_input.WrittenSpan);
        }
    }

    /// <summary>Handles one FLV tag from ffmpeg at its time on the stream's timeline.</summary>
    protected abstract void OnTag(FlvTagType type, byte[] body, long streamMs);

    private async Task ReadAsync(FfmpegProcess process, long anchorMs)
    {
        try
        {
            bool header = false;
            while (true)
            {
                var result = await process.Output.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!header)
                {
                    header = FlvFileReader.TryReadHeader(ref buffer);
                }

                while (header && FlvFileReader.TryReadTag(ref buffer, out var tag))
                {
                    OnTag(tag.Type, tag.Data.ToArray(), anchorMs + tag.Timestamp);
                }

                process.Output.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is MediaFormatException or IOException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Reading ffmpeg's output ({Name}) for stream {StreamId} failed", Name, publisher.Stream.Id);
        }

        lock (_sync)
        {
            if (_process == process && !_disposed)
            {
                Restarts++;
                logger.LogWarning("The {Name} transcoder of stream {StreamId} exited; starting it again", Name, publisher.Stream.Id);
                _process = null; // the next packet starts a new one
            }
        }

        await process.DisposeAsync().ConfigureAwait(false);
    }
}
