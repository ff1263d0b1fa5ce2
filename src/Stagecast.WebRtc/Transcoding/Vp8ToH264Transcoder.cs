using System.Buffers;
using System.Buffers.Binary;
using Microsoft.Extensions.Logging;
using Stagecast.Media.Codecs;
using Stagecast.Media.Flv;
using Stagecast.Streaming;

namespace Stagecast.WebRtc.Transcoding;

/// <summary>
/// VP8 from a WebRTC publisher (Firefox without OpenH264) becomes H.264 for LL-HLS and RTMP readers: frames go to
/// ffmpeg in IVF with millisecond timestamps, x264 (zerolatency, no B-frames, a keyframe every 2 s) comes back in FLV.
/// </summary>
public sealed class Vp8ToH264Transcoder(string ffmpeg, Publisher publisher, ILogger logger) : IngestTranscoder(ffmpeg, publisher, logger)
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

    protected override IReadOnlyList<string> Arguments => FfmpegArguments;

    protected override string Name => "VP8 to H.264";

    /// <summary>Adds a VP8 frame at its time on the stream's timeline. A transcoder starts only at a keyframe.</summary>
    public void Push(ReadOnlySpan<byte> frame, bool keyframe, int width, int height, long streamMs)
    {
        byte[] copy = frame.ToArray();
        Feed(streamMs, (output, starting, relativeMs) =>
        {
            if (starting)
            {
                // IVF file header (32 bytes): DKIF, version 0, header size, VP80, size, time base 1/1000, frame count.
                var header = output.GetSpan(32)[..32];
                header.Clear();
                "DKIF"u8.CopyTo(header);
                BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 32);
                "VP80"u8.CopyTo(header[8..]);
                BinaryPrimitives.WriteUInt16LittleEndian(header[12..], (ushort)width);
                BinaryPrimitives.WriteUInt16LittleEndian(header[14..], (ushort)height);
                BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 1000);
                BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 1);
                output.Advance(32);
            }

            // IVF frame header: size, then the 64-bit timestamp in time-base units (ms).
            var frameHeader = output.GetSpan(12)[..12];
            BinaryPrimitives.WriteUInt32LittleEndian(frameHeader, (uint)copy.Length);
            BinaryPrimitives.WriteInt64LittleEndian(frameHeader[4..], relativeMs);
            output.Advance(12);
            output.Write(copy);
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
