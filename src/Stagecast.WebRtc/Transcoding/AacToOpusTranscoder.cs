using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Media;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>
/// AAC from the hub becomes Opus for WHEP viewers: one ffmpeg per stream, shared by all its viewers, fed the stream's
/// audio as FLV (<see cref="AacFeed"/>) and read back as Ogg/Opus (one 20 ms packet per page). Each packet is handed to its consumer with its
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
    private readonly OpusPacketHandler _onPacket;
    private readonly SupervisedFfmpeg _ffmpeg;
    private readonly AacFeed _feed;

    /// <summary>Starts transcoding; <paramref name="onPacket"/> is called on the transcoder's reader, one packet at a time.</summary>
    public AacToOpusTranscoder(FfmpegLauncher ffmpeg, HubStream stream, ILogger logger, OpusPacketHandler onPacket)
    {
        _stream = stream;
        _logger = logger;
        _onPacket = onPacket;
        _ffmpeg = new SupervisedFfmpeg(ffmpeg, $"AAC to Opus transcoder of stream {stream.Id}", () => Arguments, ReadOpusAsync, logger);
        _feed = new AacFeed(stream, _ffmpeg, "whep-opus");
    }

    /// <summary>An Opus packet (valid during the call only) and its time on the stream's timeline in milliseconds.</summary>
    public delegate void OpusPacketHandler(ReadOnlySpan<byte> packet, long streamMs);

    public int Restarts => _ffmpeg.Restarts;

    public async ValueTask DisposeAsync()
    {
        await _feed.DisposeAsync().ConfigureAwait(false);
        await _ffmpeg.DisposeAsync().ConfigureAwait(false);
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
                    long firstMs = _feed.FirstMs;
                    if (packet.StartsWith("OpusHead"u8) || packet.StartsWith("OpusTags"u8) || firstMs == long.MinValue)
                    {
                        return;
                    }

                    long ms = firstMs + (samples / 48);
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
