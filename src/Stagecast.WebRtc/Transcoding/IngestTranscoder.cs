using System.Buffers;
using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Media;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>
/// A WebRTC publisher's track in a codec readers cannot take, turned into one they can by ffmpeg: packets go in through
/// a container the subclass writes (with timestamps relative to the first packet), FLV comes back, and each tag is
/// published at the first packet's stream time plus its FLV time. One ffmpeg per track; when it dies another is
/// started at a later packet (<see cref="SupervisedFfmpeg"/>) and the stream carries on.
/// </summary>
public abstract class IngestTranscoder : IAsyncDisposable
{
    private readonly Lock _sync = new();
    private readonly SupervisedFfmpeg _ffmpeg;
    private readonly Publisher _publisher;
    private readonly ILogger _logger;

    /// <summary>The stream time of the first packet the running ffmpeg was fed: where its output's time starts.</summary>
    private long _anchorMs;

    protected IngestTranscoder(FfmpegLauncher ffmpeg, Publisher publisher, ILogger logger, string name, IReadOnlyList<string> arguments)
    {
        _publisher = publisher;
        _logger = logger;
        Name = name;
        _ffmpeg = new SupervisedFfmpeg(ffmpeg, $"{name} transcoder of stream {publisher.Stream.Id}", () => arguments, ReadAsync, logger);
    }

    public int Restarts => _ffmpeg.Restarts;

    /// <summary>The running ffmpeg's process id, if one runs (diagnostics and tests).</summary>
    public int? ProcessId => _ffmpeg.ProcessId;

    protected Publisher Publisher => _publisher;

    protected string Name { get; }

    public async ValueTask DisposeAsync()
    {
        await _ffmpeg.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts ffmpeg if needed (anchored at <paramref name="streamMs"/>) and queues what <paramref name="write"/> produces.</summary>
    protected void Feed(long streamMs, Action<IBufferWriter<byte>, bool, long> write)
    {
        lock (_sync)
        {
            if (_ffmpeg.Acquire(mayStart: true, out bool starting) is not { } child)
            {
                return; // disposed, or pausing after ffmpeg died young
            }

            if (starting)
            {
                Volatile.Write(ref _anchorMs, streamMs);
            }

            write(child.Input, starting, streamMs - _anchorMs);
            child.Input.Commit();
        }
    }

    /// <summary>Handles one FLV tag from ffmpeg at its time on the stream's timeline.</summary>
    protected abstract void OnTag(FlvTagType type, byte[] body, long streamMs);

    /// <summary>Reads one child's FLV until it ends (a child starts only after the last one's reading ended, so the anchor is its own).</summary>
    private async Task ReadAsync(FfmpegChild child)
    {
        try
        {
            bool header = false;
            while (true)
            {
                var result = await child.Output.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!header)
                {
                    header = FlvFileReader.TryReadHeader(ref buffer);
                }

                while (header && FlvFileReader.TryReadTag(ref buffer, out var tag))
                {
                    OnTag(tag.Type, tag.Data.ToArray(), Volatile.Read(ref _anchorMs) + tag.Timestamp);
                }

                child.Output.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is MediaFormatException or IOException or InvalidOperationException)
        {
            TranscoderLog.OutputReadFailed(_logger, ex, Name, _publisher.Stream.Id);
        }
    }
}
