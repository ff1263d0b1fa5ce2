using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Server.Tests.Srt;

/// <summary>SRT as an operator's encoders and players use it: the srt_url the API hands out, LL-HLS, srt-live-transmit.</summary>
public sealed class SrtTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task H264AndAacOverSrtPlayOverLowLatencyHlsAndWhep()
    {
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();
        Assert.Matches($@"^srt://127\.0\.0\.1:\d+\?streamid=#!::r=live/{Regex.Escape(livestream.StreamKey)},m=publish$", livestream.SrtUrl);

        await using var ffmpeg = Ffmpeg.PublishSrt(livestream.SrtUrl!, Ffmpeg.AudioVideo(60, "320x180"));
        var details = await api.WaitForStatusAsync(livestream.Id, "LIVE");
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        var streams = await Ffmpeg.ProbeAsync(livestream.PlaybackUrl);
        Assert.Contains(streams, s => s is { Codec: "h264", Width: 320, Height: 180 });
        Assert.Contains(streams, s => s.Codec == "aac");
        var ingest = (await api.WaitForAsync($"/livestreams/{livestream.Id}", r => r.Data.GetProperty("livestream").GetProperty("ingest").ValueKind == System.Text.Json.JsonValueKind.Object))
            .Data.GetProperty("livestream").GetProperty("ingest");
        Assert.Equal("srt", ingest.GetProperty("protocol").GetString());

        await using var viewer = await WhepClient.ConnectAsync(server.Http, $"{server.HttpBase}/{livestream.Id}/whep", DtlsCertificate.Create(TimeProvider.System));
        await Eventually.TrueAsync(() => viewer.VideoPackets > 20 && viewer.AudioPackets > 50, "video and audio packets at a WHEP viewer");
    }

    [Fact]
    public async Task HevcOverSrtPlaysOverLowLatencyHls()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var ffmpeg = Ffmpeg.PublishSrt(livestream.SrtUrl!, Ffmpeg.HevcAudioVideo(60));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        Assert.Contains(await Ffmpeg.ProbeAsync(livestream.PlaybackUrl), s => s is { Codec: "hevc", Width: 320, Height: 180 });
    }

    [Fact]
    public async Task OpusOverSrtReachesPlayersAsAac()
    {
        var livestream = await server.NewLivestreamAsync();
        string[] input =
        [
            "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=60", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=60",
            "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", "30", "-pix_fmt", "yuv420p", "-c:a", "libopus", "-b:a", "64k",
        ];
        await using var ffmpeg = Ffmpeg.PublishSrt(livestream.SrtUrl!, input);
        await Eventually.TrueAsync(() => server.App.Services.GetRequiredService<Stagecast.Streaming.StreamHub>().Find(livestream.Id)?.Audio is not null, "AAC from the Opus track");
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        Assert.Contains(await Ffmpeg.ProbeAsync(livestream.PlaybackUrl), s => s is { Codec: "aac", SampleRate: 48000 });
    }

    [Fact]
    public async Task AWrongKeyIsRefused()
    {
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();
        string wrong = livestream.SrtUrl!.Replace(livestream.StreamKey, "not-the-key", StringComparison.Ordinal);
        // At the encoder's pace (-re): a first try of a key is let through the handshake and refused once its check
        // answers (a moment later), so an encoder that wrote its five seconds at once could be done and exit 0 first.
        var (exitCode, _, _) = await ExternalProcess.RunAsync("ffmpeg",
            ["-hide_banner", "-loglevel", "error", "-re", .. Ffmpeg.AudioVideo(5, "320x180"), "-f", "mpegts", wrong], TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Equal("IDLE", (await api.GetLivestreamAsync(livestream.Id)).GetProperty("livestream").GetProperty("status").GetString());
    }

    [Fact]
    public async Task SrtLiveTransmitReadsTheLivestreamById()
    {
        var livestream = await server.NewLivestreamAsync();
        await using var ffmpeg = Ffmpeg.PublishSrt(livestream.SrtUrl!, Ffmpeg.AudioVideo(60, "320x180"));
        await server.WaitForMediaAsync(livestream.Id, TimeSpan.FromSeconds(1));

        string readUrl = Regex.Replace(livestream.SrtUrl!, "streamid=.*$", $"streamid=#!::r=live/{livestream.Id},m=request");
        string directory = Directory.CreateTempSubdirectory("stagecast-srt-read-").FullName;
        string path = Path.Combine(directory, "read.ts");
        try
        {
            await ExternalProcess.RunAsync("bash", ["-c", $"srt-live-transmit -a no -q -t 4 '{readUrl}' file://con > {path}"], TimeSpan.FromSeconds(60));
            var streams = await Ffmpeg.ProbeAsync(path);
            Assert.Contains(streams, s => s is { Codec: "h264", Width: 320, Height: 180 });
            Assert.Contains(streams, s => s.Codec == "aac");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The listener was once started twice (by the feature and as a hosted service of its own): two ports, two loops.</summary>
    [Fact]
    public async Task TheServerListensOnOneSrtPort()
    {
        var logs = new CapturedLogs();
        await using var own = (await ServerFixture.StartAsync([], builder => builder.Logging.AddProvider(logs))).AsAsyncDisposable();
        Assert.Single(logs.Lines, l => l.Message.StartsWith("SRT listening on UDP", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReconnectWithinTheWindowContinuesTheSameSessionAndPlaylist()
    {
        var api = await server.NewTenantAsync();
        var livestream = await api.CreateLivestreamAsync();
        var first = Ffmpeg.PublishSrt(livestream.SrtUrl!, Ffmpeg.AudioVideo(60, "320x180"));
        string sessionId = (await api.WaitForStatusAsync(livestream.Id, "LIVE")).GetProperty("session").GetProperty("id").GetString()!;
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        string mediaPlaylist = await server.MediaPlaylistUrlAsync(livestream.PlaybackUrl);
        var stream = await server.WaitForMediaAsync(livestream.Id, TimeSpan.FromSeconds(2));
        await first.DisposeAsync(); // killed: no SRT shutdown, the server finds the connection silent and lost

        await Eventually.TrueAsync(() => stream.State == Stagecast.Streaming.HubStreamState.Reconnecting, "the hub to notice the drop");
        await using var second = Ffmpeg.PublishSrt(livestream.SrtUrl!, Ffmpeg.AudioVideo(5, "320x180"));
        await Eventually.MatchAsync(async () => ParsedPlaylist.Parse(await server.Http.GetStringAsync(mediaPlaylist)), p => p.Segments.Any(s => s.Discontinuity),
            "a discontinuity in the playlist");
        Assert.Equal(sessionId, (await api.GetAsync($"/livestreams/{livestream.Id}/active-livestream-session")).EnsureOk()
            .Data.GetProperty("session").GetProperty("id").GetString());

        // The second encoder finishes and closes its connection: the stream ends at once, one session for both.
        Assert.Equal(0, await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await api.WaitForStatusAsync(livestream.Id, "IDLE");
        await server.SessionsWrittenAsync();
        var session = Assert.Single((await api.GetLivestreamAsync(livestream.Id)).GetProperty("sessions").EnumerateArray());
        Assert.Equal(sessionId, session.GetProperty("id").GetString());
    }
}
