using System.Globalization;
using System.Text.Json;

namespace Stagecast.Testing;

/// <summary>
/// Real MPEG-TS from ffmpeg, made once per test run: one second of 320x180 at 10 fps, a keyframe every five frames,
/// in the codec pairs SRT publishers send. With what ffprobe says of their packets, to compare a demuxer against.
/// </summary>
public static class TransportStreams
{
    private static readonly string Directory = System.IO.Directory.CreateTempSubdirectory("stagecast-ts-").FullName;

    private static readonly string[] Video = ["-f", "lavfi", "-i", "testsrc2=size=320x180:rate=10:duration=1"];
    private static readonly string[] Audio = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1"];

    private static readonly Lazy<byte[]> H264AacBytes = new(() => Make("h264-aac.ts",
        [.. Video, .. Audio, "-c:v", "libx264", "-preset", "ultrafast", "-g", "5", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "32k"]));

    private static readonly Lazy<byte[]> H264BFramesBytes = new(() => Make("h264-bframes.ts",
        [.. Video, "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "5", "-pix_fmt", "yuv420p", "-an"]));

    private static readonly Lazy<byte[]> H265OpusBytes = new(() => Make("h265-opus.ts",
        [.. Video, .. Audio, "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-g", "5", "-pix_fmt", "yuv420p", "-c:a", "libopus", "-b:a", "32k"]));

    private static readonly Lazy<byte[]> TwoH264AacBytes = new(() => Make("two-h264-aac.ts",
        [.. Video, .. Audio, "-filter_complex", "[0:v]split=2[a][b];[b]scale=160:90[small]", "-map", "[a]", "-map", "[small]", "-map", "1:a",
         "-c:v", "libx264", "-preset", "ultrafast", "-g", "5", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "32k"]));

    /// <summary>H.264 (no B-frames) with AAC-LC 48 kHz mono.</summary>
    public static byte[] H264Aac => H264AacBytes.Value;

    /// <summary>H.264 with two B-frames between references, no audio: PES packets with PTS and DTS.</summary>
    public static byte[] H264BFrames => H264BFramesBytes.Value;

    /// <summary>Two H.264 streams of one picture, 320x180 and 160x90 (a transcoder's renditions), then AAC-LC 48 kHz mono.</summary>
    public static byte[] TwoH264Aac => TwoH264AacBytes.Value;

    /// <summary>H.265 with Opus 48 kHz mono.</summary>
    public static byte[] H265Opus => H265OpusBytes.Value;

    /// <summary>ffprobe's packets of a stream: (stream index, PTS, DTS, size, keyframe), in file order.</summary>
    public static IReadOnlyList<ProbedPacket> Packets(byte[] ts)
    {
        string path = Path.Combine(Directory, $"probe-{Guid.NewGuid():n}.ts");
        File.WriteAllBytes(path, ts);
        var (exitCode, output, error) = ExternalProcess.RunAsync(
            "ffprobe", ["-v", "error", "-print_format", "json", "-show_packets", path], TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        File.Delete(path);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ffprobe failed ({exitCode}): {error}");
        }

        using var json = JsonDocument.Parse(output);
        return [.. json.RootElement.GetProperty("packets").EnumerateArray().Select(p => new ProbedPacket(
            p.GetProperty("stream_index").GetInt32(),
            p.GetProperty("pts").GetInt64(),
            p.GetProperty("dts").GetInt64(),
            int.Parse(p.GetProperty("size").GetString()!, CultureInfo.InvariantCulture),
            p.GetProperty("flags").GetString()!.StartsWith('K')))];
    }

    private static byte[] Make(string name, string[] arguments)
    {
        string path = Path.Combine(Directory, name);
        var (exitCode, _, error) = ExternalProcess.RunAsync(
            "ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", .. arguments, "-f", "mpegts", path], TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        return exitCode == 0 ? File.ReadAllBytes(path) : throw new InvalidOperationException($"ffmpeg failed ({exitCode}): {error}");
    }
}

public sealed record ProbedPacket(int StreamIndex, long Pts, long Dts, int Size, bool IsKeyframe);
