using System.Diagnostics;

namespace Stagecast.Bench;

/// <summary>
/// A WHIP publisher: GStreamer's simple-whip-client sending a live test pattern as H.264 (constrained baseline,
/// no B-frames) and a sine as Opus. Its optional UPnP library is replaced by a stand-in built once with gcc.
/// </summary>
public sealed class WhipPublisher : IDisposable
{
    private readonly Process _process;

    private WhipPublisher(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    public static async Task<WhipPublisher> StartAsync(string repository, string whipUrl, string streamKey, int width, int height, int kbps)
    {
        string standIn = Path.Combine(Path.GetTempPath(), "stagecast-igd-stand-in");
        string library = Path.Combine(standIn, "libgupnp-igd-1.0.so.4");
        if (!File.Exists(library))
        {
            Directory.CreateDirectory(standIn);
            using var gcc = Process.Start("gcc", ["-shared", "-fPIC", "-o", library, "-Wl,-soname,libgupnp-igd-1.0.so.4",
                Path.Combine(repository, "tests", "whip-client", "gupnp-igd-stand-in.c")])!;
            await gcc.WaitForExitAsync();
        }

        var info = new ProcessStartInfo("whip-client", [
            "-u", whipUrl, "-t", streamKey, "-n", "-l", "2",
            "-A", "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! queue ! opusenc ! rtpopuspay pt=100 ssrc=1 ! queue ! application/x-rtp,media=audio,encoding-name=OPUS,payload=100",
            "-V", $"videotestsrc is-live=true pattern=ball ! video/x-raw,width={width},height={height},framerate=30/1 ! videoconvert ! queue ! " +
                  $"x264enc tune=zerolatency speed-preset=ultrafast bitrate={kbps} key-int-max=60 option-string=nal-hrd=cbr:filler=1 ! video/x-h264,profile=constrained-baseline ! " +
                  "rtph264pay config-interval=-1 pt=96 ssrc=2 ! queue ! application/x-rtp,media=video,encoding-name=H264,payload=96"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["LD_LIBRARY_PATH"] = standIn;
        var process = Process.Start(info)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return new WhipPublisher(process);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
