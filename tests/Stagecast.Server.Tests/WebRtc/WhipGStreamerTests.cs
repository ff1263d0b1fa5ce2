using Stagecast.Testing;

namespace Stagecast.Server.Tests.WebRtc;

/// <summary>
/// Debian's simple-whip-client (GStreamer's webrtcbin and libnice) publishes H.264 and Opus over WHIP. It runs with a
/// stand-in for libgupnp-igd (tests/whip-client) so that libsoup 3 is never loaded beside its libsoup 2.
/// </summary>
public sealed class WhipGStreamerTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Audio =
        "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! queue ! opusenc ! rtpopuspay pt=100 ssrc=1 ! queue ! " +
        "application/x-rtp,media=audio,encoding-name=OPUS,payload=100";

    private const string Video =
        "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=180,framerate=30/1 ! videoconvert ! queue ! " +
        "x264enc tune=zerolatency speed-preset=ultrafast bitrate=600 key-int-max=60 ! video/x-h264,profile=constrained-baseline ! " +
        "rtph264pay config-interval=-1 pt=96 ssrc=2 ! queue ! application/x-rtp,media=video,encoding-name=H264,payload=96";

    [Fact]
    public async Task SimpleWhipClientPublishesAndTheStreamPlaysOverHls()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        string standIn = await BuildStandInAsync();
        await using var client = ExternalProcess.Start("whip-client",
            ["-u", $"{server.HttpBase}/{livestream.Id}/whip", "-t", livestream.StreamKey, "-A", Audio, "-V", Video, "-n", "-l", "3"],
            new Dictionary<string, string> { ["LD_LIBRARY_PATH"] = standIn });

        try
        {
            await tenant.WaitForStatusAsync(livestream.Id, "LIVE", TimeSpan.FromSeconds(30));
            await server.WaitUntilPlayableAsync(livestream.PlaybackUrl, TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\nwhip-client: {client.StandardOutput}\n{client.StandardError}", ex);
        }

        var streams = await Ffmpeg.ProbeAsync(livestream.PlaybackUrl);
        Assert.Contains(streams, s => s.Codec == "h264" && s.Width == 320 && s.Height == 180);
        Assert.Contains(streams, s => s.Codec == "aac" && s.SampleRate == 48000);
        var (exitCode, _, errors) = await Ffmpeg.DecodeAsync(livestream.PlaybackUrl, 4);
        Assert.True(exitCode == 0 && errors.Length == 0, $"ffmpeg decoding simple-whip-client's stream over HLS: exit {exitCode}: {errors}");
    }

    /// <summary>Compiles tests/whip-client/gupnp-igd-stand-in.c into a directory to put first on LD_LIBRARY_PATH.</summary>
    private static async Task<string> BuildStandInAsync()
    {
        string directory = Directory.CreateTempSubdirectory("stagecast-igd-").FullName;
        string source = Path.Combine(Browser.RepositoryRoot(), "tests", "whip-client", "gupnp-igd-stand-in.c");
        var (exitCode, _, error) = await ExternalProcess.RunAsync("gcc",
            ["-shared", "-fPIC", "-o", Path.Combine(directory, "libgupnp-igd-1.0.so.4"), "-Wl,-soname,libgupnp-igd-1.0.so.4", source], TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"building the libgupnp-igd stand-in failed: {error}");
        return directory;
    }
}
