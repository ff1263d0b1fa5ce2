using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>
/// Opus from a WebRTC publisher becomes AAC for LL-HLS and RTMP readers: the packets go to ffmpeg as Ogg/Opus with
/// granule positions from their RTP timestamps (so gaps stay gaps), AAC comes back in FLV.
/// </summary>
public sealed class OpusToAacTranscoder(FfmpegLauncher ffmpeg, Publisher publisher, ILogger logger) : IngestTranscoder(ffmpeg, publisher, logger, "Opus to AAC", FfmpegArguments)
{
    private static readonly string[] FfmpegArguments =
    [
        "-fflags", "nobuffer", "-flags", "low_delay", "-probesize", "32", "-analyzeduration", "0",
        "-f", "ogg", "-i", "pipe:0",
        "-vn", "-af", "aresample=async=1000", "-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2",
        "-flush_packets", "1", "-f", "flv", "-flvflags", "no_duration_filesize", "pipe:1",
    ];

    private OggOpusWriter _ogg = new();
    private long _anchorRtp;

    /// <summary>Adds an Opus packet: its unwrapped 48 kHz RTP timestamp and that instant on the stream's timeline (ms).</summary>
    public void Push(ReadOnlySpan<byte> opus, long rtpTimestamp, long streamMs)
    {
        int samples = OpusPacket.SampleCount(opus);
        if (samples == 0)
        {
            return;
        }

        byte[] packet = opus.ToArray();
        Feed(streamMs, (output, starting, _) =>
        {
            if (starting)
            {
                _ogg = new OggOpusWriter();
                _anchorRtp = rtpTimestamp;
                _ogg.WriteHeaders(output);
            }

            long granule = rtpTimestamp - _anchorRtp + samples;
            if (granule > 0)
            {
                _ogg.WritePacket(output, packet, granule); // older than the anchor: reordered across a restart, dropped
            }
        });
    }

    protected override void OnTag(FlvTagType type, byte[] body, long streamMs)
    {
        if (type != FlvTagType.Audio)
        {
            return;
        }

        var packet = FlvAudioTag.Parse(body);
        if (packet.Kind == FlvPacketKind.SequenceStart)
        {
            Publisher.SetAudioConfig(AudioTrackConfig.ParseAac(body.AsSpan(packet.DataOffset)));
        }
        else if (packet.Kind == FlvPacketKind.CodedFrames && body.Length > packet.DataOffset && Publisher.Stream.Audio is not null)
        {
            Publisher.Write(MediaFrame.Copy(MediaFrameKind.Audio, body.AsSpan(packet.DataOffset), streamMs, 0, isKeyframe: true));
        }
    }
}
