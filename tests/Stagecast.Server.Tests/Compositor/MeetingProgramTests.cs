using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Features.Programs;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Server.Tests.Compositor;

/// <summary>Meeting livestreams without manual ingest: the compositor's program goes live, is watched and stops with them.</summary>
/// <remarks>
/// Alone, after everything else: picture and sound are measured to 80 ms, and a machine also running three cluster
/// nodes, a soak or browsers starves the participant's browser and the program's encoders (116 ms seen then). The
/// sync measurement itself runs in the long lane, after both of ./test.sh's lanes: the side lane (library tests, the
/// benchmarks' smoke with its speech engine) still ran beside the "alone" collection and put it 117 ms off.
/// </remarks>
[Collection(AloneCollection.Name)]
public sealed class MeetingProgramTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task AMeetingWithNobodyPublishingGoesLiveWithAProgramOfTheAskedSizeAndItStopsWithTheLivestream()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync("""{"title":"Quiet room"}""");
        var host = await api.AddParticipantAsync(meeting, "host", "livestream_host");
        var (h, _) = await MeetingHelpers.JoinAsync(server.HttpBase, host);
        await using var _h = h;

        var started = await api.PostAsync($"/meetings/{meeting}/livestreams", """{"name":"program","video_config":{"width":640,"height":360}}""");
        Assert.Equal(HttpStatusCode.Created, started.Status);
        string id = started.Data.GetProperty("id").GetString()!;
        string playback = started.Data.GetProperty("playback_url").GetString()!;
        Assert.Equal("LIVESTREAMING", (await h.WaitForEventAsync("livestream_started", timeout: TimeSpan.FromSeconds(20))).GetProperty("livestream").GetProperty("state").GetString());
        await api.WaitForStatusAsync(id, "LIVE");

        // The active livestream carries the program's figures while it feeds it.
        var program = await api.WaitForAsync($"/meetings/{meeting}/active-livestream",
            r => r.Data.GetProperty("program").ValueKind == JsonValueKind.Object && r.Data.GetProperty("program").GetProperty("frames_per_second").GetDouble() > 0);
        Assert.Equal(id, program.Data.GetProperty("id").GetString());
        var figures = program.Data.GetProperty("program");
        Assert.Equal((640, 360, 30), (figures.GetProperty("width").GetInt32(), figures.GetProperty("height").GetInt32(), figures.GetProperty("frame_rate").GetInt32()));
        Assert.True(figures.GetProperty("frames").GetInt64() > 0, figures.ToString());
        Assert.Equal(figures.GetProperty("dropped_frames").GetInt64(),
            figures.GetProperty("dropped_frames_late").GetInt64() + figures.GetProperty("dropped_frames_encoder_behind").GetInt64());

        string metrics = await server.MetricsAsync();
        Assert.Matches(@"(?m)^stagecast_compositor_frames_total [1-9]", metrics);
        Assert.Matches(@"(?m)^stagecast_compositor_programs [1-9]", metrics);
        Assert.Contains("stagecast_compositor_dropped_frames_total{reason=\"late\"}", metrics);
        Assert.Contains("stagecast_compositor_dropped_frames_total{reason=\"encoder_behind\"}", metrics);

        await server.WaitUntilPlayableAsync(playback);
        var streams = await Ffmpeg.ProbeAsync(playback);
        Assert.Contains(streams, s => s is { Codec: "h264", Width: 640, Height: 360 });
        Assert.Contains(streams, s => s is { Codec: "aac", SampleRate: 48000 });
        var decoded = await Ffmpeg.DecodeAsync(playback, 4);
        Assert.True(decoded.ExitCode == 0 && decoded.Error.Length == 0, decoded.Error);

        // WHEP plays the same program (its whep_url, as for any livestream).
        string whep = started.Data.GetProperty("whep_url").GetString()!;
        await using (var viewer = await WhepClient.ConnectAsync(server.Http, whep, DtlsCertificate.Create(TimeProvider.System)))
        {
            await Eventually.TrueAsync(() => viewer.VideoPackets > 30 && viewer.AudioPackets > 20, "the program's video and audio over WHEP");
        }

        (await api.PostAsync($"/meetings/{meeting}/active-livestream/stop")).EnsureOk();
        await h.WaitForEventAsync("livestream_stopped");
        var programs = server.App.Services.GetRequiredService<MeetingPrograms>();
        await Eventually.TrueAsync(() => programs.Find(meeting) is null, "the program to stop once nothing needs it", TimeSpan.FromSeconds(15));
    }

    [Fact]
    [Trait(LongLane.Trait, LongLane.Name)]
    public async Task AParticipantsPictureAndSoundStayInSyncInTheProgram()
    {
        var api = await server.NewTenantAsync();
        string meeting = await api.CreateMeetingAsync();
        var flasher = await api.AddParticipantAsync(meeting, "flash");
        await using var browser = await Browser.LaunchAsync(Browser.WebRtcArgs);
        var page = await MeetingPage.JoinAsync(browser, server.HttpBase, flasher);
        var published = await page.Page.EvaluateAsync<JsonElement>("() => publishFlash()");
        Assert.Equal(201, published.GetProperty("status").GetInt32());

        var started = await api.PostAsync($"/meetings/{meeting}/livestreams", """{"video_config":{"width":640,"height":360}}""");
        string id = started.Data.GetProperty("id").GetString()!;
        string playback = started.Data.GetProperty("playback_url").GetString()!;
        await api.WaitForStatusAsync(id, "LIVE");
        var program = server.App.Services.GetRequiredService<MeetingPrograms>().Find(meeting)!;
        await Eventually.TrueAsync(() => program.Feeds.Values.Any(f => f.Pictures > 30), "the program to show the participant");
        await server.WaitUntilPlayableAsync(playback);

        // One decode of the program's video and audio on their common timeline: the picture's brightness per frame and
        // the sound's level per 10 ms. Each flash should start with its beep.
        string work = Directory.CreateTempSubdirectory("stagecast-sync-").FullName;
        try
        {
            string video = Path.Combine(work, "video.txt");
            string audio = Path.Combine(work, "audio.txt");
            var (exitCode, _, error) = await ExternalProcess.RunAsync("ffmpeg",
            [
                "-hide_banner", "-v", "error", "-copyts", "-i", playback, "-t", "9", "-filter_complex",
                $"[0:v]signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file={video}[v];" +
                $"[0:a]asetnsamples=n=480,astats=metadata=1:reset=1,ametadata=mode=print:key=lavfi.astats.Overall.RMS_level:file={audio}[a]",
                "-map", "[v]", "-map", "[a]", "-f", "null", "-",
            ], TimeSpan.FromSeconds(60));
            Assert.True(exitCode == 0, error);
            var brightness = Series(await File.ReadAllLinesAsync(video), "lavfi.signalstats.YAVG");
            var loudness = Series(await File.ReadAllLinesAsync(audio), "lavfi.astats.Overall.RMS_level");
            double middle = (brightness.Min(p => p.Value) + brightness.Max(p => p.Value)) / 2;
            var flashes = RisingEdges(brightness, middle);
            var beeps = RisingEdges(loudness, -35);
            var offsets = flashes.Select(f => beeps.Select(b => b - f).MinBy(Math.Abs)).Where(o => Math.Abs(o) < 0.5).ToList();
            Assert.True(offsets.Count >= 2, $"flashes at {string.Join(", ", flashes)}; beeps at {string.Join(", ", beeps)}");
            var sorted = offsets.Order().ToList();
            double median = (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
            Console.WriteLine($"audio minus video at each flash: {string.Join(", ", offsets.Select(o => $"{o * 1000:F0} ms"))}");
            Assert.True(Math.Abs(median) <= 0.08, $"audio is {median * 1000:F0} ms off its picture (offsets {string.Join(", ", offsets.Select(o => $"{o * 1000:F0}"))} ms)");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>(time, value) pairs from ffmpeg's metadata print: "frame:N pts:P pts_time:T" then "key=value".</summary>
    private static List<(double Time, double Value)> Series(string[] lines, string key)
    {
        var series = new List<(double, double)>();
        double time = double.NaN;
        foreach (string line in lines)
        {
            if (line.StartsWith("frame:", StringComparison.Ordinal))
            {
                string t = line[(line.IndexOf("pts_time:", StringComparison.Ordinal) + 9)..].Trim();
                time = double.Parse(t, System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith(key + "=", StringComparison.Ordinal))
            {
                string value = line[(key.Length + 1)..].Trim();
                series.Add((time, value.Contains("inf", StringComparison.Ordinal) ? -200 : double.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return series;
    }

    private static List<double> RisingEdges(List<(double Time, double Value)> series, double threshold) =>
        [.. series.Zip(series.Skip(1)).Where(p => p.First.Value < threshold && p.Second.Value >= threshold).Select(p => p.Second.Time)];
}
