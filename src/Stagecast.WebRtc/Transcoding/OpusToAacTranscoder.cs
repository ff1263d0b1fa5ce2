using System.Buffers;
using Microsoft.Extensions.Logging;
using Stagecast.Media;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>
/// Opus from a WebRTC publisher becomes AAC for LL-HLS and RTMP readers: the packets go to ffmpeg as Ogg/Opus with
/// granule positions from their RTP timestamps (so gaps stay gaps), AAC comes back as FLV, and each frame is
/// published at the stream time of the first packet plus its FLV time. One ffmpeg per stream; when it dies it is
/// started again at the next packet and the stream carries on.
/// </summary>
public sealed class OpusToAacTranscoder(string ffmpeg, Publisher publisher, ILogger logger) : IAsyncDisposable
{
    private static readonly string[] Arguments =
    [
        "-fflags", "nobuffer", "-flags", "low_delay", "-probesize", "32", "-analyzeduration", "0",
        "-f", "ogg", "-i", "pipe:0",
        "-vn", "-af", "aresample=async=1000", "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
        "-flush_packets", "1", "-f", "flv", "-flvflags", "no_duration_filesize", "pipe:1",
    ];

    private readonly Lock _sync = new();
    private readonly ArrayBufferWriter<byte> _page = new(4096);
    private FfmpegProcess? _process;
    private OggOpusWriter? _ogg;
    private long _anchorRtp;
    private long _anchorMs;
    private bool _disposed;

    public int Restarts { get; private set; }

    /// <summary>Adds an Opus packet: its unwrapped 48 kHz RTP timestamp and that instant on the stream's timeline (ms).</summary>
    public void Push(ReadOnlySpan<byte> opus, long rtpTimestamp, long streamMs)
    {
        int samples = OpusPacket.SampleCount(opus);
        if (samples == 0)
        {
            return;
        }

        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            if (_process is null)
            {
                Start(rtpTimestamp, streamMs);
            }

            long granule = rtpTimestamp - _anchorRtp + samples;
            if (granule <= 0)
            {
                return; // older than the anchor: reordered across a restart
            }

            _page.ResetWrittenCount();
            _ogg!.WritePacket(_page, opus, granule);
            _process!.TryWrite(_page.WrittenSpan);
        }
    }

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
    }

    private void Start(long rtpTimestamp, long streamMs)
    {
        _anchorRtp = rtpTimestamp;
        _anchorMs = streamMs;
        _ogg = new OggOpusWriter();
        var process = FfmpegProcess.Start(ffmpeg, Arguments, logger);
        _page.ResetWrittenCount();
        _ogg.WriteHeaders(_page);
        process.TryWrite(_page.WrittenSpan);
        _process = process;
        _ = Task.Run(() => ReadAsync(process, streamMs));
    }

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
                    if (tag.Type == FlvTagType.Audio)
                    {
                        Publish(tag.Data.ToArray(), anchorMs + tag.Timestamp);
                    }
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
            logger.LogWarning(ex, "Reading ffmpeg's AAC for stream {StreamId} failed", publisher.Stream.Id);
        }

        lock (_sync)
        {
            if (_process == process && !_disposed)
            {
                Restarts++;
                logger.LogWarning("The Opus to AAC transcoder of stream {StreamId} exited; starting it again", publisher.Stream.Id);
                _process = null; // the next packet starts a new one
            }
        }

        await process.DisposeAsync().ConfigureAwait(false);
    }

    private void Publish(byte[] body, long timestamp)
    {
        var packet = FlvAudioTag.Parse(body);
        if (packet.Kind == FlvPacketKind.SequenceStart)
        {
            publisher.SetAudioConfig(AudioTrackConfig.ParseAac(body.AsSpan(packet.DataOffset)));
        }
        else if (packet.Kind == FlvPacketKind.CodedFrames && body.Length > packet.DataOffset && publisher.Stream.Audio is not null)
        {
            publisher.Write(MediaFrame.Copy(MediaFrameKind.Audio, body.AsSpan(packet.DataOffset), timestamp, 0, isKeyframe: true));
        }
    }
}
