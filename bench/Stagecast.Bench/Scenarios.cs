using System.Diagnostics;

namespace Stagecast.Bench;

/// <summary>The measurements, each on a freshly started set of publishers against one server.</summary>
public sealed class Scenarios(BenchServer server, HttpClient http, BenchSettings settings)
{
    /// <summary>Publishers with viewers of every clip for a while, measuring nothing.</summary>
    public async Task WarmUpAsync(IReadOnlyList<ChunkedClip> clips)
    {
        await using var driver = new LoadDriver();
        using var stop = new CancellationTokenSource();
        var tasks = new List<Task>();
        foreach (var clip in clips)
        {
            tasks.AddRange((await StartPublishersAsync(driver, clip, 10, observed: 2, stop.Token)).Tasks);
        }

        await Task.Delay(settings.ServerWarmup);
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
    }

    /// <summary>CPU seconds per stream per minute and resident memory, for N publishers of one clip.</summary>
    public async Task<LoadResult> SteadyLoadAsync(ChunkedClip clip, string variant, int count)
    {
        await using var driver = new LoadDriver();
        server.ForgetEndedStreams();
        await StartPublishersAsync(driver, clip, count, observed: 0);
        await Task.Delay(settings.Warmup);
        return await MeasureAsync(driver, variant, count, settings.LoadWindow(count), observers: []);
    }

    /// <summary>Live-edge delay and time to the first playable playlist, every publisher observed.</summary>
    public async Task<EdgeResult> LiveEdgeAsync(ChunkedClip clip, int count)
    {
        await using var driver = new LoadDriver();
        using var stop = new CancellationTokenSource();
        var (publishers, observers, tasks) = await StartPublishersAsync(driver, clip, count, observed: count, stop.Token);
        await Task.Delay(settings.Warmup + TimeSpan.FromSeconds(3));
        foreach (var observer in observers)
        {
            observer.ClearDelays();
        }

        await Task.Delay(settings.Window);
        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        var delays = observers.SelectMany(o => o.DelaysMs).Order().ToList();
        var first = observers.Where(o => o.FirstPlayableMs is not null).Select(o => o.FirstPlayableMs!.Value).Order().ToList();
        var accepted = publishers.Select(p => p.PublishAcceptedMs).Order().ToList();
        return new EdgeResult(Percentile(delays, 50), Percentile(delays, 95), delays.Count, Percentile(first, 50), Percentile(first, 95), Percentile(accepted, 50),
            observers.Select(o => o.Error).FirstOrDefault(e => e is not null));
    }

    /// <summary>Adds publishers step by step until the server stops keeping up; returns every step.</summary>
    public async Task<List<LoadResult>> RampAsync(ChunkedClip clip, string variant)
    {
        var steps = new List<LoadResult>();
        await using var driver = new LoadDriver();
        using var stop = new CancellationTokenSource();
        var observers = new List<EdgeObserver>();
        var tasks = new List<Task>();
        foreach (int target in settings.RampSteps)
        {
            var (_, newObservers, newTasks) = await StartPublishersAsync(driver, clip, target - driver.Count, observed: observers.Count == 0 ? 3 : 0, stop.Token);
            observers.AddRange(newObservers);
            tasks.AddRange(newTasks);
            await Task.Delay(settings.Warmup);
            var result = await MeasureAsync(driver, variant, target, settings.RampWindow, observers);
            steps.Add(result);
            Console.WriteLine($"    {target,5} publishers: {result.Summary}");
            if (!result.Healthy)
            {
                break;
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll(tasks);
        return steps;
    }

    /// <summary>Requests per second a player's HTTP load gets: media (parts and segments), then playlists.</summary>
    public async Task<List<ThroughputResult>> HttpThroughputAsync(ChunkedClip clip)
    {
        await using var driver = new LoadDriver();
        var slot = (await server.CreateStreamsAsync(1))[0];
        await driver.AddAsync([new ReplayPublisher(slot.Key, clip, logSends: false)], "127.0.0.1", server.RtmpPort, "live");
        string mediaPlaylist = slot.PlaybackUrl;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync(slot.PlaybackUrl);
            string body = response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : "";
            if (server.LowLatency && response.IsSuccessStatusCode)
            {
                mediaPlaylist = new Uri(new Uri(slot.PlaybackUrl), body.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).ToString();
                break;
            }

            if (!server.LowLatency && MediaPlaylist.Parse(body).Segments.Count >= 3)
            {
                break;
            }

            await Task.Delay(100);
        }

        await Task.Delay(3000);
        async Task<IReadOnlyList<string>> MediaUrls()
        {
            var playlist = MediaPlaylist.Parse(await http.GetStringAsync(mediaPlaylist));
            var uris = playlist.Parts.Select(p => p.Uri).Concat(playlist.Segments.Select(s => s.Uri))
                .Select(uri => new Uri(new Uri(mediaPlaylist), uri).ToString()).ToList();
            return uris.Count > 0 ? uris : [mediaPlaylist];
        }

        async Task<IReadOnlyList<string>> PlaylistUrls()
        {
            if (!server.LowLatency)
            {
                return [mediaPlaylist];
            }

            // Blocking reloads for a position already in the playlist: answered at once from the rendered playlist.
            var playlist = MediaPlaylist.Parse(await http.GetStringAsync(mediaPlaylist));
            return [$"{mediaPlaylist}?_HLS_msn={playlist.Segments[^1].Msn}&_HLS_part=0"];
        }

        var media = await Throughput.MeasureAsync(server.LowLatency ? "HLS parts and segments" : "HLS segments", MediaUrls, settings.HttpClients, settings.HttpDuration);
        var playlists = await Throughput.MeasureAsync(server.LowLatency ? "HLS blocking playlist reloads" : "HLS playlist requests", PlaylistUrls, settings.HttpClients, settings.HttpDuration);
        return [media, playlists];
    }

    /// <summary>Resident memory of the server's processes plus its media files in tmpfs (nginx keeps HLS there).</summary>
    private long Memory() => ProcessMeter.ResidentBytes(server.Pid) + server.MediaFileBytes();

    private async Task<LoadResult> MeasureAsync(LoadDriver driver, string variant, int count, TimeSpan window, IReadOnlyList<EdgeObserver> observers)
    {
        driver.ResetLag();
        foreach (var observer in observers)
        {
            observer.ClearDelays();
        }

        long? droppedBefore = await server.DroppedFramesAsync();
        long sentBefore = driver.Publishers.Sum(p => p.BytesSent);
        double cpuBefore = ProcessMeter.CpuSeconds(server.Pid);
        long started = Stopwatch.GetTimestamp();
        await Task.Delay(window);
        double cpu = ProcessMeter.CpuSeconds(server.Pid) - cpuBefore;
        long ended = Stopwatch.GetTimestamp();
        double seconds = Stopwatch.GetElapsedTime(started, ended).TotalSeconds;
        long memory = Memory();
        long? dropped = await server.DroppedFramesAsync() - droppedBefore;

        var publishers = driver.Publishers;
        int failed = publishers.Count(p => p.Failed);
        long maxLag = publishers.Count == 0 ? 0 : publishers.Max(p => p.MaxLagMs);
        var delays = observers.SelectMany(o => o.DelaysMs).Order().ToList();
        double? lagGrowth = observers.Select(o => o.LagGrowthSeconds(started, ended)).Max();
        // One bar for both servers: a player at the live edge must not wait more than a second for new media.
        const double delayLimit = 1000;
        bool healthy = failed == 0 && maxLag < 1000 && (dropped ?? 0) == 0 && (observers.Count == 0 || lagGrowth < 0.5)
            && (delays.Count == 0 || Percentile(delays, 95) < delayLimit);
        return new LoadResult(variant, count, cpu / count / (seconds / 60), memory, failed, maxLag, dropped, delays.Count == 0 ? null : Percentile(delays, 95),
            lagGrowth, healthy, (publishers.Sum(p => p.BytesSent) - sentBefore) * 8 / seconds / 1e6);
    }

    private async Task<(IReadOnlyList<ReplayPublisher> Publishers, List<EdgeObserver> Observers, List<Task> Tasks)> StartPublishersAsync(
        LoadDriver driver, ChunkedClip clip, int count, int observed, CancellationToken stop = default)
    {
        var slots = await server.CreateStreamsAsync(count);
        var publishers = slots.Select((slot, i) => new ReplayPublisher(slot.Key, clip, logSends: i < observed)).ToList();
        var observers = new List<EdgeObserver>();
        var tasks = new List<Task>();
        for (int i = 0; i < observed; i++)
        {
            var observer = new EdgeObserver(http, publishers[i], slots[i].PlaybackUrl, server.LowLatency);
            observers.Add(observer);
        }

        await driver.AddAsync(publishers, "127.0.0.1", server.RtmpPort, "live");
        foreach (var observer in observers)
        {
            tasks.Add(observer.RunAsync(stop));
        }

        return (publishers, observers, tasks);
    }

    public static double Percentile(IReadOnlyList<double> sorted, int percentile) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1)];
}

public sealed record LoadResult(
    string Variant,
    int Publishers,
    double CpuSecondsPerStreamPerMinute,
    long MemoryBytes,
    int Failed,
    long MaxLagMs,
    long? DroppedFrames,
    double? DelayP95Ms,
    double? EdgeLagGrowthSeconds,
    bool Healthy,
    double SentMbps)
{
    public string Summary =>
        $"cpu {CpuSecondsPerStreamPerMinute:F3} s/stream/min, memory {MemoryBytes / 1048576.0:F0} MiB, sent {SentMbps:F0} Mbit/s, lag {MaxLagMs} ms, " +
        $"failed {Failed}, dropped {DroppedFrames?.ToString() ?? "n/a"}, edge p95 {DelayP95Ms?.ToString("F0") ?? "-"} ms, edge lag growth {EdgeLagGrowthSeconds?.ToString("F2") ?? "-"} s -> {(Healthy ? "ok" : "DEGRADED")}";
}

public sealed record EdgeResult(double DelayP50Ms, double DelayP95Ms, int Samples, double FirstPlayableP50Ms, double FirstPlayableP95Ms, double PublishAcceptedP50Ms, string? Error);
