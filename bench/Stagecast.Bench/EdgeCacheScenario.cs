using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Stagecast.Testing;

namespace Stagecast.Bench;

/// <summary>
/// One 720p stream watched by LL-HLS players (blocking reloads for the next part, every part downloaded, as hls.js)
/// directly from the node, through the nginx edge (deploy/edge/nginx.conf) and through Varnish
/// (deploy/edge/varnish.vcl): how many players each holds, the origin's request rate, and how long after a part
/// appears a blocked playlist request waits at each edge. The players run in this process, on the same two cores.
/// </summary>
public sealed partial class EdgeCacheScenario(string repository, HttpClient http)
{
    public async Task<string> RunAsync(IReadOnlyList<int> counts, TimeSpan window)
    {
        var variant = Clips.Variants[0];
        var clip = await Clips.PrepareAsync(Path.Combine(repository, "bench", "results", "tmp"), variant);
        await using var server = new StagecastServer(repository, http);
        await server.StartAsync();
        await using var driver = new LoadDriver();
        var slot = (await server.CreateStreamsAsync(1))[0];
        await driver.AddAsync([new ReplayPublisher(slot.Key, clip, logSends: false)], "127.0.0.1", server.RtmpPort, "live");
        string path = new Uri(slot.PlaybackUrl).AbsolutePath;
        string origin = $"http://127.0.0.1:{server.HttpPort}";
        for (var deadline = DateTime.UtcNow.AddSeconds(30); !(await http.GetAsync(origin + path)).IsSuccessStatusCode;)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the stream did not become playable");
            }

            await Task.Delay(200);
        }

        await using var nginx = await EdgeCache.StartNginxAsync(server.HttpPort);
        await using var varnish = await EdgeCache.StartVarnishAsync(server.HttpPort, server.HttpPort);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"One {variant.Name} stream, LL-HLS players fetching every part, {window.TotalSeconds:F0} s per step; origin requests and server CPU from the moment every player had joined.\n");
        text.AppendLine("| Path | Players | Held | Parts/s per player (p5) | Errors | Origin requests/s | Server CPU, % of a core |");
        text.AppendLine("|---|---:|---|---:|---:|---:|---:|");
        foreach (var (name, url) in new[] { ("direct", origin), ("nginx edge", nginx.Url), ("Varnish edge", varnish.Url) })
        {
            foreach (int count in counts)
            {
                // Origin requests and CPU are counted once every player has joined (joining costs two uncached requests each).
                var joined = new TaskCompletionSource();
                var players = PlayersAsync(url + path, count, window, joined);
                await joined.Task;
                long before = await OriginRequestsAsync(server);
                var cpu = ProcessMeter.CpuSeconds(server.Pid);
                var clock = Stopwatch.StartNew();
                var result = await players;
                double seconds = clock.Elapsed.TotalSeconds;
                double cpuPercent = (ProcessMeter.CpuSeconds(server.Pid) - cpu) / seconds * 100;
                long after = await OriginRequestsAsync(server);
                bool held = result.Errors == 0 && result.P5PartsPerSecond >= 0.9 * result.ExpectedPartsPerSecond;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {name} | {count} | {(held ? "yes" : "no")} | {result.P5PartsPerSecond:F2} of {result.ExpectedPartsPerSecond:F2} | {result.Errors} | {(after - before) / seconds:F0} | {cpuPercent:F0} |");
                Console.WriteLine($"  {name}, {count} players: held {held}, p5 {result.P5PartsPerSecond:F2} parts/s, {result.Errors} errors, origin {(after - before) / seconds:F0} req/s");
            }
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"\nA blocked playlist request's answer after the origin's answer to the same request ({Waiters} players asking the edge at once, 40 parts):\n");
        text.AppendLine("| Edge | p50, ms | p95, ms |");
        text.AppendLine("|---|---:|---:|");
        foreach (var (name, url) in new[] { ("nginx", nginx.Url), ("Varnish", varnish.Url) })
        {
            var delays = await BlockedWaitAsync(origin + path, url + path, 40);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Scenarios.Percentile(delays, 50):F1} | {Scenarios.Percentile(delays, 95):F1} |");
        }

        return text.ToString();
    }

    private async Task<long> OriginRequestsAsync(StagecastServer server)
    {
        string metrics = await http.GetStringAsync(server.MetricsUrl);
        return RequestCounter().Matches(metrics).Sum(m => (long)double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    private sealed record PlayersResult(double P5PartsPerSecond, double ExpectedPartsPerSecond, long Errors);

    private static async Task<PlayersResult> PlayersAsync(string playbackUrl, int count, TimeSpan window, TaskCompletionSource joined)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = count * 2, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        long errors = 0;
        int joining = count;
        void Joined()
        {
            if (Interlocked.Decrement(ref joining) == 0)
            {
                joined.TrySetResult();
            }
        }

        using var stop = new CancellationTokenSource(window);
        var parts = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            try
            {
                return await LowLatencyPlayer.PlayAsync(playbackUrl, stop.Token, client, Joined) / window.TotalSeconds;
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
                joined.TrySetResult(); // a player that failed does not hold the others' measurement
                return 0;
            }
        }));
        Array.Sort(parts);
        var media = new Uri(new Uri(playbackUrl), (await client.GetStringAsync(playbackUrl)).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        return new PlayersResult(Scenarios.Percentile(parts, 5), 1 / ParsedPlaylist.Parse(await client.GetStringAsync(media)).PartTarget, errors);
    }

    /// <summary>Players asking an edge the same blocking question at once (the edge collapses them into one origin request).</summary>
    private const int Waiters = 20;

    /// <summary>The same blocking request sent to the origin and, by <see cref="Waiters"/> players, to an edge at once: how much later each edge answer comes.</summary>
    private async Task<List<double>> BlockedWaitAsync(string originUrl, string edgeUrl, int samples)
    {
        var origin = new Uri(new Uri(originUrl), (await http.GetStringAsync(originUrl)).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        var edge = new Uri(new Uri(edgeUrl), origin.AbsolutePath);
        var delays = new List<double>();
        string query = LowLatencyPlayer.NextPartQuery(ParsedPlaylist.Parse(await http.GetStringAsync(origin)));
        for (int i = 0; i < samples; i++)
        {
            var direct = TimedAsync(origin + query);
            var cached = Enumerable.Range(0, Waiters).Select(_ => TimedAsync(edge + query)).ToList();
            var (playlist, directAt) = await direct;
            foreach (var waiter in cached)
            {
                delays.Add(((await waiter).At - directAt) * 1000.0 / Stopwatch.Frequency);
            }

            query = LowLatencyPlayer.NextPartQuery(ParsedPlaylist.Parse(playlist));
        }

        delays.Sort();
        return delays;

        async Task<(string Body, long At)> TimedAsync(string url)
        {
            string body = await http.GetStringAsync(url);
            return (body, Stopwatch.GetTimestamp());
        }
    }

    [GeneratedRegex(@"^stagecast_http_requests_total\{.*\} (\S+)$", RegexOptions.Multiline)]
    private static partial Regex RequestCounter();
}
