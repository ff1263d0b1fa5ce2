using System.Diagnostics;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Bench;

/// <summary>
/// The benchmarks' guard in CI: every measurement path once, small and short, on both servers. It asserts only what
/// works (streams play, counters move, nothing fails), never a figure, so a slow machine passes and a broken harness
/// or server does not.
/// </summary>
public sealed class SmokeScenario(string repository, HttpClient http)
{
    private static readonly BenchSettings Settings = BenchSettings.Quick with
    {
        LoadCounts = [60],
        ServerWarmup = TimeSpan.FromSeconds(1),
        IdleWindow = TimeSpan.FromSeconds(2),
        IdleSettle = TimeSpan.FromSeconds(1),
        Warmup = TimeSpan.FromSeconds(2),
        Window = TimeSpan.FromSeconds(3),
        EdgeStreams = 2,
        HttpClients = 4,
        HttpDuration = TimeSpan.FromSeconds(2),
    };

    private readonly List<string> _failures = [];

    /// <summary>Runs the checks; returns the failures (none when everything works).</summary>
    public async Task<IReadOnlyList<string>> RunAsync(IReadOnlyCollection<string> servers)
    {
        var variant = Clips.Variants[1];
        string tmp = Path.Combine(repository, "bench", "results", "tmp");
        var clip = await Clips.PrepareAsync(tmp, variant);

        // The main run's path (servers started together, idle, the load in turns, the live edge, throughput, the
        // report), once. More publishers than one address may hold by default (50), so the servers' bench settings are
        // exercised: the ramp once broke on that limit without anything noticing.
        var clock = Stopwatch.StartNew();
        var started = servers.Where(name => name is "stagecast" or "nginx") // the release binary is not built for the smoke
            .Select(name => name == "nginx" ? new NginxServer(1) : (BenchServer)new StagecastServer(repository, http)).ToList();
        var results = await new Comparison(http, Settings).RunAsync(started, [(variant.Name, clip)], run => run is "load" or "edge" or "throughput", null, _ => false);
        foreach (var result in results)
        {
            string name = result.Server;
            Check(name, "idle: CPU time and resident memory are read", result.Idle is { CpuPercent: >= 0, RssMiB: > 0 });
            Check(name, "load: measured in every round", result.Loads.Count == Settings.Rounds);
            Check(name, "load: every publisher keeps publishing", result.Loads.All(l => l.Failed == 0));
            Check(name, "load: the server's CPU time moves", result.Loads.All(l => l.CpuSecondsPerStreamPerMinute > 0));
            Check(name, "load: the publishers send media", result.Loads.All(l => l.SentMbps > 0));
            Check(name, "load: resident memory is read", result.Loads.All(l => l.MemoryBytes > 0));
            Check(name, "load: no frame dropped", result.Loads.All(l => l.DroppedFrames is null or 0));
            Check(name, result.Edge.Error is null ? "live edge: players see new media" : $"live edge: players see new media ({result.Edge.Error})", result.Edge.Samples > 0 && result.Edge.Error is null);
            foreach (var throughput in result.Throughput)
            {
                Check(name, $"{throughput.Label}: answered without errors", throughput.RequestsPerSecond > 0 && throughput.MegabytesPerSecond > 0 && throughput.Errors == 0);
            }
        }

        string report = Report.Render(results, Settings, quick: true, ["--scenario", "smoke"]);
        Check("report", "every server's CPU per stream is in the table", results.All(r => report.Contains(r.Loads[0].CpuSecondsPerStreamPerMinute.ToString("F3", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
        Console.WriteLine($"  comparison: checked in {clock.Elapsed.TotalSeconds:F0} s");

        if (servers.Contains("stagecast"))
        {
            clock.Restart();
            await using var stagecast = new StagecastServer(repository, http);
            await stagecast.StartAsync();
            await WhepAsync(stagecast, tmp);
            var llhls = new LlHlsViewersScenario(repository, http);
            await llhls.RunAsync(stagecast, clip, [20], Settings.Warmup, Settings.Window);
            Check(stagecast, "LL-HLS players: every player fetches parts, no request fails",
                llhls.Steps is [{ MinParts: > 0, Failed: 0 }]);
            Console.WriteLine($"  {stagecast.Name}: WHEP and LL-HLS players checked in {clock.Elapsed.TotalSeconds:F0} s");
        }

        if (servers.Contains("stagecast"))
        {
            await TranscriptionAsync();
            await MeetingSideAsync();
        }

        return _failures;
    }

    /// <summary>
    /// <c>--scenario transcription</c>'s paths once: PocketSphinx on three of its sentences, and a server with it on,
    /// one speaker in a meeting, its transcripts and its audio reaching a peer.
    /// </summary>
    private async Task TranscriptionAsync()
    {
        var clock = Stopwatch.StartNew();
        var transcription = new TranscriptionScenario(repository, http);
        await transcription.RunAsync(null, [1], TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(8), sentenceCount: 3, baseline: false);
        const string name = "Stagecast transcription";
        Check(name, "engine: PocketSphinx hears some of the words, its time is measured",
            transcription.Engines is [{ WordErrorRate: < 1, RealTimeFactor: > 0 }]);
        Check(name, "meeting: utterances said in the window, the server's CPU time moves",
            transcription.Steps is [{ Said: > 0, CpuPerSpeakerMinute: > 0 }]);
        Check(name, "meeting: the peer receives the speaker's audio through the SFU, the utterances are counted",
            transcription.Steps is [{ AudioSent: > 0, AudioReceived: > 0, Recognised: > 0 }]);
        Check(name, "meeting: a peer receives the speaker's transcripts, each after its speech was sent",
            transcription.Steps is [{ Heard: > 0, DelaysMs: var delays }] && delays.All(d => d > 0));
        Console.WriteLine($"  {name}: checked in {clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>The main run's meeting side, small: a webinar of two attendees, two WHEP viewers, its table (speech is checked above).</summary>
    private async Task MeetingSideAsync()
    {
        var clock = Stopwatch.StartNew();
        var figures = await new MeetingSide(repository, http, Settings).RunAsync(attendees: 2, viewerSteps: [2], speech: false, whisperModel: null);
        const string name = "Stagecast meeting side";
        Check(name, "webinar: two attendees watch, the server's CPU and memory are read",
            figures.Webinar is { Attendees: 2, Healthy: true, CpuPercent: > 0, MinMbps: > 0 });
        Check(name, "WHEP viewers: the step holds and its CPU is read", figures.FanOut is { Viewers: 2, CpuPercent: > 0 });
        string table = MeetingSide.Render(figures);
        Check(name, "the table has the webinar's and the viewers' rows",
            table.Contains("per attendee per minute", StringComparison.Ordinal) && table.Contains(figures.FanOut?.ViewersPerCore.ToString("F0", System.Globalization.CultureInfo.InvariantCulture) ?? "?", StringComparison.Ordinal));
        Console.WriteLine($"  {name}: checked in {clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>One WHEP viewer of an RTMP stream gets video and audio, and the server's delay histogram counts them.</summary>
    private async Task WhepAsync(StagecastServer server, string tmp)
    {
        var slot = (await server.CreateStreamsAsync(1))[0];
        string clip = await Clips.EncodeAsync(tmp, Clips.Variants[1], bFrames: false);
        using var publisher = Process.Start(new ProcessStartInfo("ffmpeg", ["-hide_banner", "-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "flv",
            $"rtmp://127.0.0.1:{server.RtmpPort}/live/{slot.Key}"])
        { RedirectStandardError = true })!;
        try
        {
            // Live once its playlist answers.
            var live = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 20);
            while (!(await http.GetAsync(slot.PlaybackUrl)).IsSuccessStatusCode && Stopwatch.GetTimestamp() < live)
            {
                await Task.Delay(50);
            }

            string whep = slot.PlaybackUrl.Replace("/manifest/video.m3u8", "/whep", StringComparison.Ordinal);
            await using var viewer = await WhepClient.ConnectAsync(http, whep, DtlsCertificate.Create(TimeProvider.System)).WaitAsync(TimeSpan.FromSeconds(30));
            var delaysBefore = MetricsHistogram.Total(await MetricsHistogram.BucketsAsync(http, server.MetricsUrl, "stagecast_whep_hub_delay_seconds"));
            var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 20);
            while ((viewer.VideoPackets == 0 || viewer.AudioPackets == 0) && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(100);
            }

            var delaysAfter = MetricsHistogram.Total(await MetricsHistogram.BucketsAsync(http, server.MetricsUrl, "stagecast_whep_hub_delay_seconds"));
            Check(server, "WHEP: a viewer receives video and audio", viewer.VideoPackets > 0 && viewer.AudioPackets > 0);
            Check(server, "WHEP: the hub → viewer delay histogram counts", delaysAfter > delaysBefore);
        }
        finally
        {
            publisher.Kill();
            await publisher.WaitForExitAsync();
        }
    }

    private void Check(BenchServer server, string what, bool ok) => Check(server.Name, what, ok);

    private void Check(string name, string what, bool ok)
    {
        Console.WriteLine($"  {name}: {(ok ? "ok  " : "FAIL")} {what}");
        if (!ok)
        {
            _failures.Add($"{name}: {what}");
        }
    }
}
