using System.Globalization;
using System.Text.Json;
using Stagecast.Bench;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Stagecast against nginx-rtmp on the same workload, side by side (bench/README.md, "Method").
//   bench/run.sh [--quick] [--servers stagecast,release,nginx] [--nginx-workers 2] [--binary PATH] [--release PATH] [--rounds N] [--no-readme]
//   (builds the server first)
var options = Arguments.Parse(args);
var settings = options.Apply(options.Quick ? BenchSettings.Quick : BenchSettings.Full);
string repository = Arguments.RepositoryRoot();
string resultsDirectory = Path.Combine(repository, "bench", "results");
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromSeconds(60) };

if (options.Scenarios is ["webrtc"])
{
    // bench/run.sh --scenario webrtc [--counts 1,10,100] [--warmup S] [--window S]: Stagecast alone (nginx has no WebRTC).
    var webRtc = new WebRtcScenario(repository, http, settings.Warmup, settings.Window);
    string table = await webRtc.RunAsync(options.Counts ?? [1, 10, 50, 100, 200, 400, 800]);
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"webrtc-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, table);
    Console.WriteLine($"\n{table}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["llhls"])
{
    // bench/run.sh --scenario llhls [--counts 250,500,1000 (players)] [--warmup S] [--window S] [--binary PATH]: the LL-HLS viewer ceiling, Stagecast alone.
    var clip = await Clips.PrepareAsync(Path.Combine(resultsDirectory, "tmp"), Clips.Variants[0]);
    string table = await new LlHlsViewersScenario(repository, http, options.Binary).RunAsync(clip, options.Counts ?? [250, 500, 1000, 1500, 2000, 3000, 4000, 5000], settings.Warmup, settings.Window);
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"llhls-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, table);
    Console.WriteLine($"\n{table}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["meeting"])
{
    // bench/run.sh --scenario meeting [--counts 1,2,4,8 (meetings of four in the ramp)] [--warmup S] [--window S]: Stagecast alone.
    var meeting = new MeetingScenario(repository, http, settings.Warmup, settings.Window);
    string table = await meeting.RunAsync([4, 9], options.Counts ?? [1, 2, 4, 6, 8, 10, 12, 16]);
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"meeting-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, table);
    Console.WriteLine($"\n{table}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["webinar"])
{
    // bench/run.sh --scenario webinar [--counts 25,50,100 (attendees)] [--warmup S] [--window S]: three hosts on the stage, attendees watching them, a stage round trip per step.
    var webinar = new WebinarScenario(repository, http, settings.Warmup, settings.Window);
    string table = await webinar.RunAsync(options.Counts ?? [10, 25, 50, 100, 150, 200, 300]);
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"webinar-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, table);
    Console.WriteLine($"\n{table}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["compositor"])
{
    // bench/run.sh --scenario compositor [--warmup S] [--window S]: meetings of two and four, each with its 720p program.
    var meeting = new MeetingScenario(repository, http, settings.Warmup, settings.Window);
    string table = await meeting.RunCompositorAsync([2, 4]);
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"compositor-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, table);
    Console.WriteLine($"\n{table}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["transcode"])
{
    // bench/run.sh --scenario transcode [--warmup S] [--window S]: a 720p stream's 480p and 360p, in process, x264 veryfast and superfast.
    string table = await new TranscodeScenario(repository).RunAsync(["veryfast", "superfast"], settings.Warmup, settings.Window);
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"transcode-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, table);
    Console.WriteLine($"\n{table}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["record"])
{
    // bench/run.sh --scenario record [--counts 1,10 (streams)] [--warmup S] [--window S]: recording 720p streams, in process, CPU per stream.
    string table = await new RecordScenario(repository).RunAsync(options.Counts ?? [1, 10], settings.Warmup, settings.Window);
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"record-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, table);
    Console.WriteLine($"\n{table}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["transcription"])
{
    // bench/run.sh --scenario transcription [--whisper-model PATH|generated] [--counts 1,2,4 (speakers)] [--warmup S] [--window S]: the speech engines
    // (word error rate, real-time factor) and live transcripts in a meeting (CPU per speaker, speech to caption).
    string? whisperModel = args.SkipWhile(a => a != "--whisper-model").Skip(1).FirstOrDefault();
    if (whisperModel == "generated")
    {
        // The tests' tiny random-weight model (GeneratedWhisperModel): whisper.cpp's plumbing, not a real model's speed.
        whisperModel = Stagecast.Testing.GeneratedWhisperModel.Write(Path.Combine(Path.GetTempPath(), "ggml-generated.bin"));
    }

    string table;
    try
    {
        table = await new TranscriptionScenario(repository, http).RunAsync(whisperModel, options.Counts ?? [1, 2, 4],
            options.Warmup is { } warmup ? TimeSpan.FromSeconds(warmup) : TimeSpan.FromSeconds(5), options.Window is { } window ? TimeSpan.FromSeconds(window) : TimeSpan.FromSeconds(20));
    }
    catch (Stagecast.Speech.SpeechEngineException ex)
    {
        Console.Error.WriteLine(ex.Message); // a missing or broken model, a missing library
        return 2;
    }

    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"transcription-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, table);
    Console.WriteLine($"\n{table}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["meeting-side"])
{
    // bench/run.sh --scenario meeting-side [--no-readme]: the main run's meeting-side table alone (a webinar of 300, WHEP viewers per core, speech), into bench/README.md.
    string table = MeetingSide.Render(await MeetingSideAsync());
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"meeting-side-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, table);
    if (!args.Contains("--no-readme"))
    {
        MeetingSide.UpdateReadme(Path.Combine(repository, "bench", "README.md"), table);
    }

    Console.WriteLine($"\n{table}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["edge-cache"])
{
    // bench/run.sh --scenario edge-cache [--counts 50,200,500 (players)] [--window S]: one 720p stream, directly and through the nginx and Varnish edges.
    var edgeCache = new EdgeCacheScenario(repository, http);
    string table = await edgeCache.RunAsync(options.Counts ?? [50, 200, 500], settings.Window);
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"edge-cache-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, table);
    Console.WriteLine($"\n{table}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["soak"])
{
    // bench/run.sh --scenario soak [--minutes 60] [--publishers 20] [--whip 4 (of the publishers)] [--viewers 10 (per stream)]: Stagecast alone.
    var variant = Clips.Variants[1];
    var clip = await Clips.PrepareAsync(Path.Combine(resultsDirectory, "tmp"), variant);
    string Option(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
    var soak = new SoakScenario(repository, http);
    string soakReport = await soak.RunAsync(clip, variant.Name, TimeSpan.FromMinutes(double.Parse(Option("--minutes", "60"), CultureInfo.InvariantCulture)),
        int.Parse(Option("--publishers", "20"), CultureInfo.InvariantCulture), int.Parse(Option("--whip", "4"), CultureInfo.InvariantCulture),
        int.Parse(Option("--viewers", "10"), CultureInfo.InvariantCulture));
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"soak-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, soakReport);
    Console.WriteLine($"\n{soakReport}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["smoke"])
{
    // bench/run.sh --scenario smoke [--servers stagecast,nginx]: every measurement path once, small; fails only when something does not work (CI runs it).
    Console.WriteLine("Benchmark smoke: every scenario's path once, checking that it works (no figure is judged)");
    var failures = await new SmokeScenario(repository, http).RunAsync(options.Servers);
    Console.WriteLine(failures.Count == 0 ? "Benchmark smoke passed." : $"Benchmark smoke FAILED:\n  {string.Join("\n  ", failures)}");
    return failures.Count == 0 ? 0 : 1;
}

if (options.Scenarios is ["glass"])
{
    // bench/run.sh --scenario glass [--warmup S] [--window S]: capture-to-screen delay in Chromium, watch page (LL-HLS) and WHEP.
    string glass = await new GlassToGlassScenario(repository, http).RunAsync(settings.Warmup, settings.Window);
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"glass-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, glass);
    Console.WriteLine($"\n{glass}\nWritten to {path}");
    return 0;
}

if (options.Scenarios is ["idle"])
{
    // bench/run.sh --scenario idle [--binary PATH (else the Release build's dll and the release binary deploy/build-release.sh builds;
    // a .dll runs with dotnet)] [--window S, 60 by default] [--servers stagecast,nginx]: Stagecast and nginx-rtmp, idle and starting.
    var clip = await Clips.PrepareAsync(Path.Combine(resultsDirectory, "tmp"), Clips.Variants[1]);
    string idle = await new IdleScenario(repository, http).RunAsync(options.Binary, clip,
        options.Window is { } seconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(60), options.Servers);
    Directory.CreateDirectory(resultsDirectory);
    string path = Path.Combine(resultsDirectory, $"idle-{DateTime.UtcNow:yyyy-MM-dd-HHmm}.md");
    await File.WriteAllTextAsync(path, idle);
    Console.WriteLine($"\n{idle}\nWritten to {path}");
    return 0;
}

Console.WriteLine("Preparing clips …");
var clips = new List<(string Name, ChunkedClip Clip)>();
foreach (var variant in Clips.Variants)
{
    var clip = await Clips.PrepareAsync(Path.Combine(resultsDirectory, "tmp"), variant);
    clips.Add((variant.Name, clip));
    Console.WriteLine($"  {variant.Name}: {clip.Bitrate / 1e6:F2} Mbit/s, {clip.LoopDurationMs} ms loop");
}

// Stagecast's JIT build (what `dotnet run` runs), its release binary (what users install; --release PATH, else built
// here) and nginx-rtmp; --binary PATH measures that build as "stagecast" instead of the Release build's dll.
var servers = new List<BenchServer>();
foreach (string name in options.Servers)
{
    servers.Add(name switch
    {
        "nginx" => new NginxServer(options.NginxWorkers),
        "release" => new StagecastServer(repository, http, options.Release ?? await ReleaseBinary.BuildAsync(repository)) { Label = "Stagecast release" },
        _ => new StagecastServer(repository, http, options.Binary) { Label = options.Servers.Contains("release") ? "Stagecast JIT" : null },
    });
}

// The release binary is measured idle and under the loads; the live edge, throughput and ramp are the JIT build's.
var results = await new Comparison(http, settings).RunAsync(servers, clips, options.Runs, options.Variant,
    server => server is StagecastServer { Label: "Stagecast release" });

// The streaming results are written before the meeting side runs, so a failure there (on 2026-12-02 a machine without
// espeak-ng) does not lose the three-quarters of an hour before it; the meeting side's table is appended after.
Directory.CreateDirectory(resultsDirectory);
string stamp = DateTime.UtcNow.ToString("yyyy-MM-dd-HHmm", CultureInfo.InvariantCulture);
string resultsFile = Path.Combine(resultsDirectory, $"{stamp}{(options.Quick ? "-quick" : "")}");
await File.WriteAllTextAsync($"{resultsFile}.json", JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
string report = Report.Render(results, settings, options.Quick, args);
await File.WriteAllTextAsync($"{resultsFile}.md", report);
if (options.Runs("meeting-side") && options.Servers.Contains("stagecast"))
{
    report += "\n" + MeetingSide.Render(await MeetingSideAsync());
    await File.WriteAllTextAsync($"{resultsFile}.md", report);
}

Console.WriteLine();
Console.WriteLine(report);
if (options.UpdateReadme && !options.Quick)
{
    Report.UpdateReadme(Path.Combine(repository, "bench", "README.md"), report);
}

return 0;

// The meeting side at the full run's sizes (a quick run's are small): the webinar of issue 64 (300 attendees), WHEP
// viewers up to 1,000 (held on this machine since 2026-11-25), and the speech engines with the tests' whisper model.
async Task<MeetingSide.Figures> MeetingSideAsync()
{
    string? model = Stagecast.Testing.WhisperTinyModel.Find();
    if (model is null)
    {
        Console.WriteLine($"  no {Stagecast.Testing.WhisperTinyModel.FileName} in {Stagecast.Testing.WhisperTinyModel.Directory} (tests/models/fetch-whisper-tiny.sh fetches it): PocketSphinx alone");
    }

    return await new MeetingSide(repository, http, settings).RunAsync(options.Quick ? 10 : 300, options.Quick ? [10] : [250, 500, 1000], speech: true,
        model, options.Quick ? 3 : int.MaxValue);
}

public sealed record ServerResults(string Server, string Configuration, List<LoadResult> Loads, EdgeResult Edge, List<ThroughputResult> Throughput, List<LoadResult> Ramp)
{
    public LoadResult? LargestHealthy => Ramp.LastOrDefault(r => r.Healthy);

    /// <summary>Measured before anything connected.</summary>
    public IdleScenario.Idle? Idle { get; init; }

    /// <summary>True for a server measured idle and under the loads only.</summary>
    public bool LoadOnly { get; init; }

    /// <summary>The rounds' CPU seconds per stream-minute at one load, sorted.</summary>
    public List<double> Cpu(string variant, int count) =>
        [.. Loads.Where(l => l.Variant == variant && l.Publishers == count).Select(l => l.CpuSecondsPerStreamPerMinute).Order()];

    /// <summary>
    /// Resident memory (plus HLS files in tmpfs) beyond the idle figure, per stream, in MiB: the median of the rounds.
    /// What a server keeps after its first streams (pooled buffers, compiled code) counts against the streams.
    /// </summary>
    public double? MemoryPerStreamBeyondIdle(string variant, int count)
    {
        var rounds = Loads.Where(l => l.Variant == variant && l.Publishers == count).Select(l => l.MemoryBytes / 1048576.0).Order().ToList();
        return rounds.Count == 0 || Idle is not { } idle ? null : (rounds[rounds.Count / 2] - idle.RssMiB) / count;
    }
}

internal sealed record Arguments(
    bool Quick, string[] Servers, int NginxWorkers, bool UpdateReadme, string[] Scenarios, int? Variant, int[]? Counts, double? Warmup, double? Window, string? Binary,
    string? Release, int? Rounds)
{
    /// <summary>
    /// --quick, --servers stagecast,nginx, --nginx-workers N, --no-readme; to study one thing:
    /// --scenario load|edge|throughput|ramp[,…], --variant 0|1, --counts 1,10,100, --warmup S, --window S;
    /// --binary PATH runs Stagecast from that build (the release binary of deploy/build-release.sh, or a .dll) instead of
    /// the Release build of src/Stagecast.Server; --release PATH is the release binary the server "release" runs (built
    /// when not given); --rounds N the turns each server takes at each load.
    /// </summary>
    public static Arguments Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new Arguments(
            args.Contains("--quick"),
            (Value("--servers") ?? "stagecast,release,nginx").Split(',', StringSplitOptions.RemoveEmptyEntries),
            int.Parse(Value("--nginx-workers") ?? "1", CultureInfo.InvariantCulture),
            !args.Contains("--no-readme") && Value("--scenario") is null,
            (Value("--scenario") ?? "load,edge,throughput,ramp,meeting-side").Split(','),
            Value("--variant") is { } variant ? int.Parse(variant, CultureInfo.InvariantCulture) : null,
            Value("--counts")?.Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray(),
            Value("--warmup") is { } warmup ? double.Parse(warmup, CultureInfo.InvariantCulture) : null,
            Value("--window") is { } window ? double.Parse(window, CultureInfo.InvariantCulture) : null,
            Value("--binary"),
            Value("--release"),
            Value("--rounds") is { } rounds ? int.Parse(rounds, CultureInfo.InvariantCulture) : null);
    }

    public bool Runs(string scenario) => Scenarios.Contains(scenario);

    public BenchSettings Apply(BenchSettings settings) => settings with
    {
        LoadCounts = Counts ?? settings.LoadCounts,
        Warmup = Warmup is { } warmup ? TimeSpan.FromSeconds(warmup) : settings.Warmup,
        Window = Window is { } window ? TimeSpan.FromSeconds(window) : settings.Window,
        FewStreamsWindow = Window is { } few ? TimeSpan.FromSeconds(few) : settings.FewStreamsWindow,
        Rounds = Rounds ?? settings.Rounds,
    };

    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Stagecast.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("run from the repository");
    }
}
