using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Stagecast.Bench;

/// <summary>
/// Stagecast's builds (the JIT one and the release binary) against nginx-rtmp when nothing happens, and how fast each starts: idle CPU and RSS after a
/// settle time, the wake-ups of each thread while idle (what a trace of an idle process would show), and from the
/// process's start to the first playlist a player gets for a publisher that connects as soon as the port opens.
/// </summary>
public sealed class IdleScenario(string repository, HttpClient http)
{
    /// <summary>How long a started server is left alone before its idle figures are taken.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    public async Task<string> RunAsync(string? binary, ChunkedClip clip, TimeSpan window, IReadOnlyCollection<string> servers)
    {
        // Without --binary, both builds users run: the JIT one (dotnet run, or the Release build's dll) and the release binary.
        List<(string Label, string? Binary)> builds = !servers.Contains("stagecast") ? []
            : binary is not null ? [($"Stagecast ({Path.GetFileName(binary)})", binary)]
            : [("Stagecast, JIT (Release build)", null), ("Stagecast, Native AOT release", await ReleaseBinary.BuildAsync(repository))];
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"Idle: {Settle.TotalSeconds:F0} s after start (30 s after the last stream ended), then a {window.TotalSeconds:F0} s window. "
            + $"CPU is the server process's own user + system time over the window (not the machine's load). Builds: {string.Join(", ", builds.Select(b => b.Binary ?? "src/Stagecast.Server/bin/Release/net10.0/Stagecast.Server.dll"))}.");
        report.AppendLine();
        report.AppendLine("| server | idle CPU % of one core | idle RSS MiB | after one stream: CPU % / RSS MiB | threads | wake-ups/s | start → HTTP accepts (ms) | start → publish accepted (ms) | start → first playlist with media (ms) |");
        report.AppendLine("|---|---|---|---|---|---|---|---|---|");
        var wakeups = new StringBuilder();
        string data = Directory.CreateTempSubdirectory("stagecast-idle-").FullName;
        try
        {
            // The livestream is created in a first run, so the timed start finds it in its database as a restart would;
            // the measured starts are restarts of that data directory without the start-up identity variables, as an
            // installed server restarts. Each start ends with one API call (StartAsync waits until the API answers).
            StreamSlot? slot = null;
            foreach (var (label, build) in builds)
            {
                if (slot is null)
                {
                    await using var first = new StagecastServer(repository, http, build, data);
                    await first.StartAsync();
                    slot = (await first.CreateStreamsAsync(1))[0];
                }

                await MeasureAsync(label, () => new StagecastServer(repository, http, build, data, bootstrap: false), slot, clip, window, report, wakeups);
            }

            if (servers.Contains("nginx"))
            {
                await MeasureAsync("nginx-rtmp", () => new NginxServer(1), null, clip, window, report, wakeups);
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }

        report.AppendLine();
        report.AppendLine("Wake-ups per second of the idle process (never connected to, then after one stream), by thread name: voluntary and involuntary context switches from /proc/PID/task.");
        report.AppendLine();
        report.Append(wakeups);
        return report.ToString();
    }

    private async Task MeasureAsync(string name, Func<BenchServer> create, StreamSlot? slot, ChunkedClip clip, TimeSpan window, StringBuilder report, StringBuilder wakeups)
    {
        // A process nobody has connected to.
        Idle idle;
        await using (var server = create())
        {
            await server.StartAsync();
            await Task.Delay(Settle);
            idle = await MeasureIdleAsync(server, window);
        }

        // A restart with a publisher that connects as soon as it can: the time to a playlist with media, then idle again.
        double httpMs, playlistMs, publishedMs;
        Idle after;
        await using (var server = create())
        {
            await server.StartAsync();
            httpMs = Stopwatch.GetElapsedTime(server.LaunchedAt).TotalMilliseconds;
            slot = slot is null ? (await server.CreateStreamsAsync(1))[0] : slot with { PlaybackUrl = $"http://127.0.0.1:{server.HttpPort}/{slot.Id}/manifest/video.m3u8" };
            await using (var driver = new LoadDriver())
            {
                var publisher = (await driver.AddAsync([new ReplayPublisher(slot.Key, clip, logSends: false)], "127.0.0.1", server.RtmpPort, "live"))[0];
                publishedMs = Stopwatch.GetElapsedTime(server.LaunchedAt, publisher.StartedAt).TotalMilliseconds + publisher.PublishAcceptedMs;
                await FirstPlaylistAsync(slot.PlaybackUrl, server.LowLatency);
                playlistMs = Stopwatch.GetElapsedTime(server.LaunchedAt).TotalMilliseconds;
                await Task.Delay(TimeSpan.FromSeconds(5));
            }

            // The thread pool retires the workers the stream woke after 20 s; a thread that exits inside the window
            // would bring all its CPU time since start into the process's counter.
            await Task.Delay(Settle + TimeSpan.FromSeconds(20));
            after = await MeasureIdleAsync(server, window);
        }

        static string Busy(Idle idle) => string.Join(", ", idle.WakeupsByThread.Where(t => t.PerSecond > 0)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} ×{t.Threads} {t.PerSecond:F1}/s {t.CpuMs:F0} ms")).DefaultIfEmpty("none"));
        wakeups.AppendLine(CultureInfo.InvariantCulture, $"- {name}: {Busy(idle)}; after one stream: {Busy(after)}");
        report.AppendLine(CultureInfo.InvariantCulture,
            $"| {name} | {idle.CpuPercent:F2} | {idle.RssMiB:F0} | {after.CpuPercent:F2} / {after.RssMiB:F0} | {idle.Threads} | {idle.WakeupsByThread.Sum(t => t.PerSecond):F1} | {httpMs:F0} | {publishedMs:F0} | {playlistMs:F0} |");
        Console.WriteLine($"  {name}: idle CPU {idle.CpuPercent:F2} %, RSS {idle.RssMiB:F0} MiB; after a stream {after.CpuPercent:F2} %, {after.RssMiB:F0} MiB; HTTP after {httpMs:F0} ms, publish accepted after {publishedMs:F0} ms, first playlist after {playlistMs:F0} ms");
    }

    /// <summary>
    /// CPU (the process tree's own time, not the machine's), RSS and every thread's wake-ups over the window. The CPU is
    /// the threads' run time in nanoseconds (<c>/proc/PID/task/TID/schedstat</c>): the process's figure in clock ticks
    /// of 10 ms is 6 ticks a minute at 0.1 % of a core, user and system time each rounded down at both ends of the
    /// window. When a thread ended in the window its time is gone from the threads' figures, and the ticks are used.
    /// </summary>
    public static async Task<Idle> MeasureIdleAsync(BenchServer server, TimeSpan window)
    {
        var before = ThreadSwitches(server.Pid);
        double ticksBefore = ProcessMeter.CpuSeconds(server.Pid);
        long started = Stopwatch.GetTimestamp();
        await Task.Delay(window);
        double ticks = ProcessMeter.CpuSeconds(server.Pid) - ticksBefore;
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var after = ThreadSwitches(server.Pid);
        var spent = after.Select(t => before.TryGetValue(t.Key, out var b)
            ? (t.Value.Name, Switches: t.Value.Switches - b.Switches, CpuMs: t.Value.CpuMs - b.CpuMs)
            : t.Value).ToList(); // a thread started in the window: all of it
        double cpu = before.Keys.All(after.ContainsKey) ? spent.Sum(t => t.CpuMs) / 1000 : ticks;
        var byName = spent.GroupBy(t => t.Name)
            .Select(g => (g.Key, g.Sum(t => t.Switches) / seconds, g.Count(), g.Sum(t => t.CpuMs)))
            .OrderByDescending(t => t.Item2).ToList();
        return new Idle(cpu / seconds * 100, ProcessMeter.ResidentBytes(server.Pid) / 1048576.0, after.Count, byName);
    }

    public sealed record Idle(double CpuPercent, double RssMiB, int Threads, List<(string Name, double PerSecond, int Threads, double CpuMs)> WakeupsByThread);

    /// <summary>Polls until the media playlist lists at least one part (LL-HLS) or one segment.</summary>
    private async Task FirstPlaylistAsync(string playbackUrl, bool lowLatency)
    {
        string url = playbackUrl;
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            using var response = await http.GetAsync(url);
            if (response.IsSuccessStatusCode)
            {
                string body = await response.Content.ReadAsStringAsync();
                if (body.Contains("#EXT-X-STREAM-INF", StringComparison.Ordinal))
                {
                    url = new Uri(new Uri(playbackUrl), body.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim()).ToString();
                    continue;
                }

                if (body.Contains(lowLatency ? "#EXT-X-PART:" : "#EXTINF", StringComparison.Ordinal))
                {
                    return;
                }
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"no playlist with media at {playbackUrl} within 30 s");
    }

    /// <summary>Context switches and CPU time (to the nanosecond) of every thread of the process and its children, with the thread's name.</summary>
    private static Dictionary<int, (string Name, long Switches, double CpuMs)> ThreadSwitches(int rootPid)
    {
        var threads = new Dictionary<int, (string, long, double)>();
        foreach (string task in ProcessMeter.Tree(rootPid).SelectMany(pid => Directory.GetDirectories($"/proc/{pid}/task")))
        {
            try
            {
                string name = File.ReadAllText(Path.Combine(task, "comm")).Trim();
                long switches = File.ReadLines(Path.Combine(task, "status"))
                    .Where(l => l.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || l.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    .Sum(l => long.Parse(l.Split(':')[1].Trim(), CultureInfo.InvariantCulture));
                string schedstat = File.ReadAllText(Path.Combine(task, "schedstat")); // time on a CPU (ns), waiting, time slices
                double cpuMs = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ')), CultureInfo.InvariantCulture) / 1e6;
                threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = (name, switches, cpuMs);
            }
            catch (IOException)
            {
                // the thread ended meanwhile
            }
        }

        return threads;
    }
}

/// <summary>The Native AOT release binary users install, built by deploy/build-release.sh.</summary>
public static class ReleaseBinary
{
    /// <summary>Builds it into bench/results/tmp/release; returns the binary's path.</summary>
    public static async Task<string> BuildAsync(string repository)
    {
        string output = Path.Combine(repository, "bench", "results", "tmp", "release");
        Console.WriteLine("Building the release binary …");
        using var build = Process.Start(new ProcessStartInfo(Path.Combine(repository, "deploy", "build-release.sh"), [output]) { RedirectStandardOutput = true })!;
        string path = (await build.StandardOutput.ReadToEndAsync()).Trim().Split('\n')[^1];
        await build.WaitForExitAsync();
        return build.ExitCode == 0 ? path : throw new InvalidOperationException("deploy/build-release.sh failed");
    }
}
