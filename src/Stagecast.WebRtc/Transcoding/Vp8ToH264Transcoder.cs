using System.Buffers;
using Microsoft.Extensions.Logging;
using Stagecast.FfmpegProcesses;
using Stagecast.Media.Codecs;
using Stagecast.Media.Codecs.Vp8;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>
/// VP8 from a WebRTC publisher (Firefox without OpenH264) becomes H.264 for LL-HLS and RTMP readers: frames go to
/// ffmpeg in IVF with millisecond timestamps, x264 (zerolatency, no B-frames, a keyframe every 2 s) comes back in FLV.
/// </summary>
public sealed class Vp8ToH264Transcoder(FfmpegLauncher ffmpeg, Publisher publisher, ILogger logger) : IngestTranscoder(ffmpeg, publisher, logger, "VP8 to H.264", FfmpegArguments)
{
    private static readonly string[] FfmpegArguments =
    [
        // No "-fflags nobuffer" here: with IVF it makes ffmpeg 5.1's VP8 decoder fail on whole frames.
        "-flags", "low_delay", "-probesize", "32", "-analyzeduration", "0",
        "-f", "ivf", "-i", "pipe:0",
        "-an", "-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-bf", "0", "-pix_fmt", "yuv420p",
        "-force_key_frames", "expr:gte(t,n_forced*2)", "-fps_mode", "passthrough",
        "-flush_packets", "1", "-f", "flv", "-flvflags", "no_duration_filesize", "pipe:1",
    ];

    /// <summary>Adds a VP8 frame at its time on the stream's timeline. A transcoder starts only at a keyframe.</summary>
    public void Push(ReadOnlySpan<byte> frame, bool keyframe, int width, int height, long streamMs)
    {
        byte[] copy = frame.ToArray();
        Feed(streamMs, (output, starting, relativeMs) =>
        {
            if (starting)
            {
                IvfWriter.WriteHeader(output, width, height, 1000); // times in ms
            }

            IvfWriter.WriteFrame(output, copy, relativeMs);
        });
    }

    protected override void OnTag(FlvTagType type, byte[] body, long streamMs)
    {
        if (type != FlvTagType.Video)
        {
            return;
        }

        var packet = FlvVideoTag.Parse(body);
        if (packet.Kind == FlvPacketKind.SequenceStart)
        {
            Publisher.SetVideoConfig(VideoTrackConfig.Parse(packet.Codec, body.AsSpan(packet.DataOffset)));
        }
        else if (packet.Kind == FlvPacketKind.CodedFrames && body.Length > packet.DataOffset && Publisher.Stream.Video is not null)
        {
            Publisher.Write(MediaFrame.Copy(MediaFrameKind.Video, body.AsSpan(packet.DataOffset), streamMs, packet.CompositionTime, packet.IsKeyframe));
        }
    }
}
