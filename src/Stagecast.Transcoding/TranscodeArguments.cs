using System.Globalization;
using System.Text;
using Stagecast.Transcoding.Encoders;

namespace Stagecast.Transcoding;

/// <summary>
/// One ffmpeg for all of a source's encodes: the source as MPEG-TS on stdin, decoded once, split to one scaler per
/// encode, each encoded with keyframes forced where the source has them (<c>-force_key_frames source</c>), the
/// source's AAC copied once, and everything out on stdout as one MPEG-TS (one video PID per encode, in the ladder's
/// order, then the audio). Timestamps pass through untouched (<c>-copyts</c>, <c>-fps_mode passthrough</c>, the
/// input's time base for the encoders, <c>-mpegts_copyts</c>), so every output frame carries its source frame's
/// time. For the least delay (bench/README.md): the decoder on one thread (frame threads hold pictures back), half a
/// second of probing, video PES packets with their length (so our demuxer need not wait for the next), audio a frame
/// to a PES packet, every packet flushed at once.
/// </summary>
public static class TranscodeArguments
{
    public static IReadOnlyList<string> For(VideoEncoder encoder, TranscodeOptions options, IReadOnlyList<Encode> encodes, bool audio)
    {
        var arguments = new List<string>(EncoderArguments.Device(encoder, options));
        // Half a second of input is enough to know the streams (ffmpeg's default, 5 s, would hold the first frame that long).
        // -threads 1 is the decoder's: frame threading would hold one picture per thread.
        arguments.AddRange(["-threads", "1", "-analyzeduration", "500000", "-copyts", "-f", "mpegts", "-i", "pipe:0", "-filter_complex", Filters(encoder, encodes)]);
        for (int i = 0; i < encodes.Count; i++)
        {
            arguments.AddRange(["-map", $"[v{i}]"]);
        }

        if (audio)
        {
            arguments.AddRange(["-map", "0:a:0", "-c:a", "copy"]);
        }

        arguments.AddRange(["-fps_mode", "passthrough", "-enc_time_base:v", "-1", "-force_key_frames", "source"]);
        arguments.AddRange(EncoderArguments.Codec(encoder, options));
        for (int i = 0; i < encodes.Count; i++)
        {
            // Constant bitrate with a one-second buffer: what the multivariant playlist announces is what each segment holds.
            string bitrate = encodes[i].Rendition.VideoBitrate.ToString(CultureInfo.InvariantCulture);
            arguments.AddRange([$"-b:v:{i}", bitrate, $"-maxrate:v:{i}", bitrate, $"-bufsize:v:{i}", bitrate]);
        }

        arguments.AddRange(["-pes_payload_size", "0", "-omit_video_pes_length", "0", "-mpegts_copyts", "1", "-flush_packets", "1", "-f", "mpegts", "pipe:1"]);
        return arguments;
    }

    /// <summary><c>[0:v:0]split=2[s0][s1];[s0]scale=640:360,format=yuv420p[v0];[s1]scale=320:180,format=yuv420p[v1]</c></summary>
    private static string Filters(VideoEncoder encoder, IReadOnlyList<Encode> encodes)
    {
        var graph = new StringBuilder("[0:v:0]");
        if (encodes.Count > 1)
        {
            graph.Append(CultureInfo.InvariantCulture, $"split={encodes.Count}");
            for (int i = 0; i < encodes.Count; i++)
            {
                graph.Append(CultureInfo.InvariantCulture, $"[s{i}]");
            }

            graph.Append(';');
        }

        for (int i = 0; i < encodes.Count; i++)
        {
            graph.Append(encodes.Count > 1 ? $"[s{i}]" : "")
                .Append(CultureInfo.InvariantCulture, $"scale={encodes[i].Width}:{encodes[i].Height},{EncoderArguments.Upload(encoder)}[v{i}]")
                .Append(i < encodes.Count - 1 ? ";" : "");
        }

        return graph.ToString();
    }
}
