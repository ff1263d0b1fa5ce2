using System.Diagnostics;

namespace Stagecast.Bench;

/// <summary>The pre-encoded clips publishers replay: 10 s, 30 fps, a keyframe every second, encoded once by ffmpeg.</summary>
public static class Clips
{
    public static readonly (string Name, string Size, string VideoRate, string AudioRate)[] Variants =
    [
        ("720p 2.5 Mbps", "1280x720", "2300k", "128k"),
        ("360p 600 kbps", "640x360", "536k", "64k"),
    ];

    public static async Task<ChunkedClip> PrepareAsync(string directory, (string Name, string Size, string VideoRate, string AudioRate) variant) =>
        ChunkedClip.Load(await EncodeAsync(directory, variant, bFrames: true));

    /// <summary>Encodes the clip once (cached by file name); WebRTC viewers need it without B-frames.</summary>
    public static async Task<string> EncodeAsync(string directory, (string Name, string Size, string VideoRate, string AudioRate) variant, bool bFrames)
    {
        Directory.CreateDirectory(directory);
        string file = Path.Combine(directory, $"clip-{variant.Size}-{variant.VideoRate}{(bFrames ? "" : "-nob")}.flv");
        if (!File.Exists(file))
        {
            var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in new[]
            {
                "-hide_banner", "-v", "error", "-y",
                "-f", "lavfi", "-i", $"testsrc2=size={variant.Size}:rate=30:duration=10",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=10",
                "-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-pix_fmt", "yuv420p",
                "-b:v", variant.VideoRate, "-maxrate", variant.VideoRate, "-bufsize", variant.VideoRate, "-bf", bFrames ? "3" : "0",
                "-c:a", "aac", "-b:a", variant.AudioRate, "-f", "flv", file,
            })
            {
                info.ArgumentList.Add(argument);
            }

            using var ffmpeg = Process.Start(info)!;
            string errors = await ffmpeg.StandardError.ReadToEndAsync();
            await ffmpeg.WaitForExitAsync();
            if (ffmpeg.ExitCode != 0)
            {
                throw new InvalidOperationException($"encoding {file} failed: {errors}");
            }
        }

        return file;
    }
}
