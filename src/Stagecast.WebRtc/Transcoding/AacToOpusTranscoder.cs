using System.Buffers;
using Microsoft.Extensions.Logging;
using Stagecast.Media;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>
/// AAC from the hub becomes Opus for WHEP viewers: one ffmpeg per stream, shared by all its viewers, fed the stream's
/// audio as FLV and read back as Ogg/Opus (one 20 ms packet per page). Each packet is handed to its consumer with its
/// time on the stream's timeline. It runs from its construction until disposed; if ffmpeg dies it is started again.
/// </summary>
public sealed class AacToOpusTranscoder : IAsyncDisposable
{
    private static readonly string[] Arguments =
    [
        "-fflags", "nobuffer", "-flags", "low_delay", "-probesize", "32", "-analyzeduration", "0",
        "-f", "flv", "-i", "pipe:0",
        "-vn", "-af", "aresample=async=1000", "-c:a", "libopus", "-b:a", "96k", "-application", "lowdelay", "-frame_duration", "20",
        "-ar", "48000", "-ac", "2", "-flush_packets", "1", "-page_duration", "20000", "-f", "ogg", "pipe:1",
    ];

    private readonly string _ffmpeg;
    private readonly LiveStream _stream;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ArrayBufferWriter<byte> _flv = new(4096);
    private readonly OpusPacketHandler _onPacket;
    private readonly Task _pump;

    /// <summary>The stream time of the first AAC frame fed to the running ffmpeg: where its Opus output starts.</summary>
    private long _firstMs = long.MinValue;

    /// <summary>Starts transcoding; <paramref name="onPacket"/> is called on the transcoder's reader, one packet at a time.</summary>
    public AacToOpusTranscoder(string ffmpeg, LiveStream stream, ILogger logger, OpusPacketHandler onPacket)
    {
        _ffmpeg = ffmpeg;
        _stream = stream;
        _logger = logger;
        _onPacket = onPacket;
        _pump = Task.Run(RunAsync);
    }

    /// <summary>An Opus packet (valid during the call only) and its time on the stream's timeline in milliseconds.</summary>
    public delegate void OpusPacketHandler(ReadOnlySpan<byte> packet, long streamMs);

    public int Restarts { get; private set; }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>Runs ffmpeg, and again when it dies, until stopped or the stream ends.</summary>
    private async Task RunAsync()
    {
        using var reader = _stream.AddReader("whep-opus", new ReaderOptions { MaxQueuedFrames = 256, StartWithCachedGop = false });
        while (!_stop.IsCancellationRequested)
        {
            await using var process = FfmpegProcess.Start(_ffmpeg, Arguments, _logger);
            using var exited = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var output = Task.Run(() => ReadOpusAsync(process));
            bool ended = await FeedAsync(reader, process, exited.Token, output).ConfigureAwait(false);
            if (ended || _stop.IsCancellationRequested)
            {
                return;
            }

            Restarts++;
            _logger.LogWarning("The AAC to Opus transcoder of stream {StreamId} exited; starting it again", _stream.Id);
            await Task.Delay(200, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Writes the stream's audio to ffmpeg as FLV; true when the stream ended, false when ffmpeg exited.</summary>
    private async Task<bool> FeedAsync(LiveStreamReader reader, FfmpegProcess process, CancellationToken cancellationToken, Task output)
    {
        bool headerWritten = false;
        long baseMs = long.MinValue;
        _firstMs = long.MinValue;
        while (!output.IsCompleted)
        {
            bool more;
            try
            {
                more = await reader.WaitToReadAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                continue;
            }
            catch (OperationCanceledException)
            {
                return true;
            }

            if (!more)
            {
                return true;
            }

            while (reader.TryRead(out var frame))
            {
                try
                {
                    if (frame.Kind != MediaFrameKind.Audio || _stream.Audio is not { } config)
                    {
                        continue;
                    }

                    _flv.ResetWrittenCount();
                    if (!headerWritten)
                    {
                        headerWritten = true;
                        baseMs = frame.Timestamp;
                        _firstMs = baseMs;
                        FlvFileWriter.WriteHeader(_flv, hasAudio: true, hasVideo: false);
                        FlvFileWriter.WriteTag(_flv, FlvTagType.Audio, 0, [0xAF, 0x00, .. config.SpecificConfig]);
                    }

                    byte[] body = ArrayPool<byte>.Shared.Rent(frame.Length + 2);
                    body[0] = 0xAF;
                    body[1] = 0x01;
                    frame.Span.CopyTo(body.AsSpan(2));
                    FlvFileWriter.WriteTag(_flv, FlvTagType.Audio, (uint)Math.Max(0, frame.Timestamp - baseMs), body.AsSpan(0, frame.Length + 2));
                    ArrayPool<byte>.Shared.Return(body);
                    process.TryWrite(_flv.WrittenSpan);
                }
                finally
                {
                    frame.Release();
                }
            }
        }

        return false;
    }

    private async Task ReadOpusAsync(FfmpegProcess process)
    {
        var ogg = new OggPageReader();
        long samples = 0;
        try
        {
            while (true)
            {
                var result = await process.Output.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                while (ogg.TryReadPage(ref buffer, (packet, _) =>
                {
                    if (packet.StartsWith("OpusHead"u8) || packet.StartsWith("OpusTags"u8) || Volatile.Read(ref _firstMs) == long.MinValue)
                    {
                        return;
                    }

                    long ms = _firstMs + (samples / 48);
                    samples += OpusPacket.SampleCount(packet);
                    _onPacket(packet, ms);
                }))
                {
                }

                process.Output.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is MediaFormatException or IOException or InvalidOperationException)
        {
            _logger.LogWarning(ex, "Reading ffmpeg's Opus for stream {StreamId} failed", _stream.Id);
        }
    }
}
