using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stagecast.Media.Codecs.H265;
using Stagecast.Rtmp.Client;
using Stagecast.Server.Hosting.Api;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

/// <summary>Real ffmpeg publishes over RTMP; ffprobe and ffmpeg play the HLS playback URL.</summary>
public sealed partial class PlaybackTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AudioAndVideoPlayWithTheRightCodecsAndDecodeCleanly()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(14));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);

        var streams = await Ffmpeg.ProbeAsync(livestream.PlaybackUrl);
        Assert.Contains(streams, s => s is { Codec: "h264", Width: 640, Height: 360 });
        Assert.Contains(streams, s => s is { Codec: "aac", SampleRate: 48000 });

        var (exitCode, _, errors) = await Ffmpeg.DecodeAsync(livestream.PlaybackUrl, 4);
        Assert.Equal(0, exitCode);
        Assert.Equal("", errors.Trim());
    }

    [Fact]
    public async Task BFramesPlay()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.WithBFrames(14));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);

        Assert.Contains(await Ffmpeg.ProbeAsync(livestream.PlaybackUrl), s => s.Codec == "h264");
        var (exitCode, _, errors) = await Ffmpeg.DecodeAsync(livestream.PlaybackUrl, 4);
        Assert.Equal(0, exitCode);
        Assert.Equal("", errors.Trim());
    }

    [Fact]
    public async Task VideoOnlyStreamPlays()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.VideoOnly(12));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);

        var stream = Assert.Single(await Ffmpeg.ProbeAsync(livestream.PlaybackUrl));
        Assert.Equal(("h264", 320, 240), (stream.Codec, stream.Width, stream.Height));
        Assert.Equal(0, (await Ffmpeg.DecodeAsync(livestream.PlaybackUrl, 3)).ExitCode);
    }

    [Fact]
    public async Task AudioOnlyStreamPlays()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioOnly(12));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);

        var stream = Assert.Single(await Ffmpeg.ProbeAsync(livestream.PlaybackUrl));
        Assert.Equal(("aac", 44100), (stream.Codec, stream.SampleRate));
        Assert.Equal(0, (await Ffmpeg.DecodeAsync(livestream.PlaybackUrl, 3)).ExitCode);
    }

    [Fact]
    public async Task BlockingReloadReturnsTheNextPartWhenItIsWritten()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(14));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        string mediaPlaylist = await server.MediaPlaylistUrlAsync(livestream.PlaybackUrl);

        var playlist = ParsedPlaylist.Parse(await server.Http.GetStringAsync(mediaPlaylist));
        var open = playlist.Segments[^1];
        var response = await server.Http.GetAsync($"{mediaPlaylist}?_HLS_msn={open.Msn}&_HLS_part={open.Parts.Count}");

        // The answer came because the part was written (it lists the hinted part), not because the blocking timeout ran
        // out (that answers 503).
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var next = ParsedPlaylist.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(next.Parts, p => p.Uri == playlist.PreloadHint);
        Assert.All(next.Parts, p => Assert.True(p.Duration <= next.PartTarget));
    }

    [Fact]
    public async Task WrongKeyIsRefusedWhileAnotherStreamKeepsPlaying()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var good = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(16));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        string mediaPlaylist = await server.MediaPlaylistUrlAsync(livestream.PlaybackUrl);
        var first = ParsedPlaylist.Parse(await server.Http.GetStringAsync(mediaPlaylist));
        long before = first.MediaSequence + first.Parts.Count();

        await using var bad = Ffmpeg.Publish($"{livestream.IngestServer}/not-a-valid-key", Ffmpeg.AudioVideo(5));
        int exitCode = await bad.WaitForExitAsync(TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, exitCode);

        await Eventually.MatchAsync(async () => ParsedPlaylist.Parse(await server.Http.GetStringAsync(mediaPlaylist)),
            after => after.MediaSequence + after.Parts.Count() > before, "the good stream to keep advancing");
        Assert.False(good.HasExited);
        Assert.Equal(0, (await Ffmpeg.DecodeAsync(livestream.PlaybackUrl, 2)).ExitCode);
    }

    [Fact]
    public async Task HevcOverEnhancedRtmpPlays()
    {
        string file = Path.Combine(Path.GetTempPath(), $"stagecast-{Guid.NewGuid()}.hevc");
        // One thread and the fastest preset: x265's default thread pools and lookahead took over a minute for these
        // 240 small frames on a CI machine busy with the rest of the suite (under a second here).
        var (encoded, _, error) = await ExternalProcess.RunAsync("ffmpeg",
            ["-hide_banner", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30:duration=8",
                "-c:v", "libx265", "-preset", "ultrafast",
                "-x265-params", "aud=1:bframes=0:keyint=30:open-gop=0:pools=none:frame-threads=1:log-level=error", "-f", "hevc", file],
            TimeSpan.FromSeconds(120));
        Assert.True(encoded == 0, error);
        var units = AnnexB.HevcAccessUnits(await File.ReadAllBytesAsync(file));
        File.Delete(file);

        var nals = units.SelectMany(u => u).ToList();
        byte[] record = HevcDecoderConfigurationRecord.Build(
            nals.First(n => H265NalType.Of(n) == H265NalType.Vps),
            nals.First(n => H265NalType.Of(n) == H265NalType.Sps),
            nals.First(n => H265NalType.Of(n) == H265NalType.Pps));

        var livestream = await server.NewLivestreamAsync();
        await using var client = await RtmpPublishClient.ConnectAsync(new Uri(livestream.IngestServer), CancellationToken.None);
        await client.PublishAsync(livestream.IngestServer, "live", livestream.StreamKey, CancellationToken.None);
        await client.SendVideoAsync(0, FlvBodies.HevcSequenceStart(record), CancellationToken.None);

        var playback = Task.Run(async () =>
        {
            await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
            return await Ffmpeg.ProbeAsync(livestream.PlaybackUrl);
        });
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < units.Count; i++)
        {
            var vcl = units[i].Where(n => H265NalType.Of(n) < 32).ToList();
            bool keyframe = vcl.Any(n => H265NalType.Of(n) is >= 16 and <= 21);
            uint timestamp = (uint)(i * 1000 / 30);
            await client.SendVideoAsync(timestamp, FlvBodies.HevcFrame(keyframe, 0, AnnexB.ToLengthPrefixed(vcl)), CancellationToken.None);
            await MediaPacing.WaitForAsync(clock, timestamp);
        }

        var stream = Assert.Single(await playback.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(("hevc", 320, 240), (stream.Codec, stream.Width, stream.Height));
    }

    [Fact]
    public async Task AViewerResettingItsConnectionIsNoFailure()
    {
        // A viewer closing the watch page resets its connections: the playback handler let the reset escape, and the
        // log said "fail:" with a stack trace.
        var logs = new CapturedLogs();
        await using var own = (await ServerFixture.StartAsync([], builder => builder.Logging.AddProvider(logs))).AsAsyncDisposable(out var logged);
        var livestream = await logged.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(30, "320x180"));
        await logged.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        var connections = logged.App.Services.GetRequiredService<HttpConnectionLimits>();
        int before = connections.Connections;
        // The media playlist: only this viewer asks for a player's files, where the waits above asked for the playback
        // URL, and the last of their answers may be counted after the client read it.
        var playlist = new Uri(await logged.MediaPlaylistUrlAsync(livestream.PlaybackUrl));
        long answered = await PlayerFileAnswersAsync(logged);

        using (var viewer = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await viewer.ConnectAsync(playlist.Host, playlist.Port);
            await viewer.SendAsync(Encoding.ASCII.GetBytes($"GET {playlist.AbsolutePath} HTTP/1.1\r\nHost: {playlist.Authority}\r\n\r\n"));
            byte[] answer = new byte[16];
            Assert.StartsWith("HTTP/1.1 200", Encoding.ASCII.GetString(answer, 0, await viewer.ReceiveAsync(answer)));
            // The answer counted, the connection waits for its next request, as a closing tab's do; then it is closed
            // with a reset and no FIN (a NetworkStream would shut down first).
            await Eventually.TrueAsync(async () => await PlayerFileAnswersAsync(logged) == answered + 1, "the answer to be counted");
            viewer.LingerState = new LingerOption(true, 0);
        }

        await Eventually.TrueAsync(() => connections.Connections == before, "the viewer's connection to end");
        Assert.DoesNotContain(logs.Lines, l => l.Level >= LogLevel.Warning && l.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
    }

    /// <summary>How many times a player's files (<c>…/manifest/{epoch}/{player}/{file}</c>) were answered, from <c>stagecast_http_requests_total</c>.</summary>
    private static async Task<long> PlayerFileAnswersAsync(ServerFixture server) =>
        PlayerFileAnswers().Matches(await server.MetricsAsync()).Sum(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^stagecast_http_requests_total\{route=""[^""]*/\{player\}/\{file\}"",[^}]*\} (\d+)", RegexOptions.Multiline)]
    private static partial Regex PlayerFileAnswers();

    [Fact]
    public async Task HealthzAnswersOnceListening()
    {
        var response = await server.Http.GetAsync("/healthz");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
    }
}
