using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Media;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>
/// AAC from the hub becomes Opus for WHEP viewers: one ffmpeg per stream, shared by all its viewers, fed the stream's
/// audio as FLV and read back as Ogg/Opus (one 20 ms packet per page). Each packet is handed to its consumer with its
/// time on the stream's timeline. It runs from its construction until disposed; if ffmpeg dies another is started
/// (<see cref="SupervisedFfmpeg"/>).
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

    private readonly HubStream _stream;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly OpusPacketHandler _onPacket;
    private readonly SupervisedFfmpeg _ffmpeg;
    private readonly Task _pump;

    /// <summary>The stream time of the first AAC frame fed to the running ffmpeg: where its Opus output starts.</summary>
    private long _firstMs = long.MinValue;

    /// <summary>Starts transcoding; <paramref name="onPacket"/> is called on the transcoder's reader, one packet at a time.</summary>
    public AacToOpusTranscoder(FfmpegLauncher ffmpeg, HubStream stream, ILogger logger, OpusPacketHandler onPacket)
    {
        _stream = stream;
        _logger = logger;
        _onPacket = onPacket;
        _ffmpeg = new SupervisedFfmpeg(ffmpeg, $"AAC to Opus transcoder of stream {stream.Id}", () => Arguments, ReadOpusAsync, logger);
        _pump = Task.Run(RunAsync);
    }

    /// <summary>An Opus packet (valid during the call only) and its time on the stream's timeline in milliseconds.</summary>
    public delegate void OpusPacketHandler(ReadOnlySpan<byte> packet, long streamMs);

    public int Restarts => _ffmpeg.Restarts;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _ffmpeg.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Feeds the stream's audio to ffmpeg (one is started at the first frame, and again after one died) until stopped or the stream ends.</summary>
    private async Task RunAsync()
    {
        using var reader = _stream.AddReader("whep-opus", new ReaderOptions { MaxQueuedFrames = 256, StartWithCachedGop = false });
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    try
                    {
                        Feed(frame);
                    }
                    finally
                    {
                        frame.Release();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Writes an AAC frame to ffmpeg as FLV, after the FLV header and the configuration when ffmpeg starts with it.</summary>
    private void Feed(MediaFrame frame)
    {
        if (frame.Kind != MediaFrameKind.Audio || _stream.Audio is not { } config || _ffmpeg.Acquire(mayStart: true, out bool started) is not { } child)
        {
            return;
        }

        if (started)
        {
            Volatile.Write(ref _firstMs, frame.Timestamp);
            FlvFileWriter.WriteHeader(child.Input, hasAudio: true, hasVideo: false);
            FlvFileWriter.WriteAacConfig(child.Input, config.SpecificConfig);
        }

        FlvFileWriter.WriteAacFrame(child.Input, (uint)Math.Max(0, frame.Timestamp - _firstMs), frame.Span);
        child.Input.Commit();
    }

    private async Task ReadOpusAsync(FfmpegChild child)
    {
        var ogg = new OggPageReader();
        long samples = 0;
        try
        {
            while (true)
            {
                var result = await child.Output.ReadAsync().ConfigureAwait(false);
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

                child.Output.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is MediaFormatException or IOException or InvalidOperationException)
        {
            TranscoderLog.OpusReadFailed(_logger, ex, _stream.Id);
        }
    }
}
