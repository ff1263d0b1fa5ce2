using System.Globalization;
using System.Text.Json;

namespace Stagecast.Testing;

/// <summary>Real ffmpeg and ffprobe, as publishers and players.</summary>
public static class Ffmpeg
{
    /// <summary>Video and audio sources, H.264 + AAC, keyframe every second.</summary>
    public static string[] AudioVideo(int seconds, string size = "640x360") =>
    [
        "-f", "lavfi", "-i", $"testsrc2=size={size}:rate=30:duration={seconds}",
        "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "64k",
    ];

    /// <summary>H.264 with two B-frames between references (composition time offsets in FLV).</summary>
    public static string[] WithBFrames(int seconds) =>
    [
        "-f", "lavfi", "-i", $"testsrc2=size=640x360:rate=30:duration={seconds}",
        "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={seconds}",
        "-c:v", "libx264", "-preset", "veryfast", "-bf", "2", "-g", "30", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "64k",
    ];

    public static string[] VideoOnly(int seconds) =>
    [
        "-f", "lavfi", "-i", $"testsrc2=size=320x240:rate=30:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p", "-an",
    ];

    /// <summary>H.264 video alone with one keyframe, the first: the stream's newest keyframe stays that one.</summary>
    public static string[] SingleKeyframe(int seconds, string size = "320x180") =>
    [
        "-f", "lavfi", "-i", $"testsrc2=size={size}:rate=30:duration={seconds}",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", $"{(seconds + 1) * 30}", "-x264-params", "scenecut=0",
        "-pix_fmt", "yuv420p", "-an",
    ];

    public static string[] AudioOnly(int seconds) =>
    [
        "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=44100:duration={seconds}",
        "-c:a", "aac", "-b:a", "64k", "-vn",
    ];

    /// <summary>Starts publishing in real time to an RTMP URL.</summary>
    public static ExternalProcess Publish(string rtmpUrl, string[] input) =>
        ExternalProcess.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", .. input, "-f", "flv", rtmpUrl]);

    /// <summary>Starts publishing MPEG-TS in real time to an SRT URL (srt://HOST:PORT?streamid=...).</summary>
    public static ExternalProcess PublishSrt(string srtUrl, string[] input) =>
        ExternalProcess.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", .. input, "-f", "mpegts", srtUrl]);

    /// <summary>H.265 and AAC, keyframe every second: what an encoder publishing HEVC over SRT sends.</summary>
    public static string[] HevcAudioVideo(int seconds, string size = "320x180") =>
    [
        "-f", "lavfi", "-i", $"testsrc2=size={size}:rate=30:duration={seconds}",
        "-f", "lavfi", "-i", $"sine=frequency=440:sample_rate=48000:duration={seconds}",
        "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-g", "30", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-b:a", "64k",
    ];

    /// <summary>ffprobe's view of a URL's streams.</summary>
    public static async Task<IReadOnlyList<ProbedStream>> ProbeAsync(string url)
    {
        var (exitCode, output, error) = await ExternalProcess.RunAsync(
            "ffprobe", ["-v", "error", "-print_format", "json", "-show_streams", url], TimeSpan.FromSeconds(30));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ffprobe failed ({exitCode}): {error}");
        }

        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("streams").EnumerateArray().Select(s => new ProbedStream(
            s.GetProperty("codec_name").GetString()!,
            s.TryGetProperty("width", out var w) ? w.GetInt32() : 0,
            s.TryGetProperty("height", out var h) ? h.GetInt32() : 0,
            s.TryGetProperty("sample_rate", out var r) ? int.Parse(r.GetString()!, CultureInfo.InvariantCulture) : 0)).ToList();
    }

    /// <summary>When each packet of one stream of a file plays (<paramref name="stream"/>: "v:0", "a:0"), in file order (a duration not given: 0).</summary>
    public static async Task<IReadOnlyList<PacketTiming>> ProbeTimingsAsync(string path, string stream)
    {
        var (exitCode, output, error) = await ExternalProcess.RunAsync("ffprobe",
            ["-v", "error", "-print_format", "json", "-select_streams", stream, "-show_entries", "packet=pts_time,duration_time,flags", path], TimeSpan.FromSeconds(30));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ffprobe failed ({exitCode}): {error}");
        }

        using var json = JsonDocument.Parse(output);
        return json.RootElement.GetProperty("packets").EnumerateArray().Select(p => new PacketTiming(
            double.Parse(p.GetProperty("pts_time").GetString()!, CultureInfo.InvariantCulture),
            p.TryGetProperty("duration_time", out var duration) ? double.Parse(duration.GetString()!, CultureInfo.InvariantCulture) : 0, // WebM's blocks need not say
            p.GetProperty("flags").GetString()!.Contains('K'))).ToList();
    }

    /// <summary>How many of a file's decoded pictures have each width: a stream that changed size on the way.</summary>
    public static async Task<Dictionary<int, int>> PictureWidthsAsync(string path)
    {
        var (exitCode, output, error) = await ExternalProcess.RunAsync("ffprobe",
            ["-v", "error", "-select_streams", "v", "-show_entries", "frame=width", "-of", "default=noprint_wrappers=1:nokey=1", path], TimeSpan.FromSeconds(60));
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"ffprobe failed ({exitCode}): {error}");
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .CountBy(w => int.Parse(w, CultureInfo.InvariantCulture)).ToDictionary();
    }

    /// <summary>
    /// Decodes <paramref name="seconds"/> of a stream, reporting every error. The null output keeps the input's time
    /// base (<c>-enc_time_base -1</c>): with its default of one tick per frame, two frames of a variable-rate stream
    /// (a browser's) closer than 1/fps apart would be reported as non-monotonic although their timestamps increase.
    /// </summary>
    public static Task<(int ExitCode, string Output, string Error)> DecodeAsync(string url, int seconds) =>
        ExternalProcess.RunAsync("ffmpeg", ["-hide_banner", "-v", "error", "-i", url, "-enc_time_base:v", "-1", "-t", seconds.ToString(CultureInfo.InvariantCulture), "-f", "null", "-"], TimeSpan.FromSeconds(seconds + 30));
}

public sealed record ProbedStream(string Codec, int Width, int Height, int SampleRate);

/// <summary>When a packet plays, as ffprobe reads it: presentation time and duration in seconds.</summary>
public sealed record PacketTiming(double Pts, double Duration, bool Keyframe);
