using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

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

        await using var nginx = await Edge.StartNginxAsync(repository, server.HttpPort);
        await using var varnish = await Edge.StartVarnishAsync(repository, server.HttpPort);
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

        text.AppendLine("\nA blocked playlist request's answer after the origin's answer to the same request (one player, 40 parts):\n");
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
        int joining = count;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = count * 2, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
        long errors = 0;
        double partTarget = 0;
        using var stop = new CancellationTokenSource(window);
        var parts = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            int fetched = 0;
            try
            {
                var media = new Uri(new Uri(playbackUrl), (await client.GetStringAsync(playbackUrl)).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
                var seen = new HashSet<string>();
                string query = "";
                while (!stop.IsCancellationRequested)
                {
                    string playlist = await client.GetStringAsync(media + query, stop.Token);
                    var (uris, msn, next, target) = Parse(playlist);
                    partTarget = target;
                    bool first = seen.Count == 0;
                    if (first && Interlocked.Decrement(ref joining) == 0)
                    {
                        joined.TrySetResult();
                    }

                    var fresh = uris.Where(seen.Add).ToList();
                    foreach (string uri in first ? fresh.TakeLast(1) : fresh)
                    {
                        using var response = await client.GetAsync(new Uri(media, uri), CancellationToken.None);
                        await response.Content.CopyToAsync(Stream.Null);
                        if (!response.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref errors);
                        }
                        else if (!first)
                        {
                            fetched++;
                        }
                    }

                    query = string.Create(CultureInfo.InvariantCulture, $"?_HLS_msn={msn}&_HLS_part={next}");
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref errors);
            }

            joined.TrySetResult(); // a player that failed to join does not hold the others' measurement
            return fetched / window.TotalSeconds;
        }));
        Array.Sort(parts);
        return new PlayersResult(Scenarios.Percentile(parts, 5), partTarget > 0 ? 1 / partTarget : 0, errors);
    }

    /// <summary>The same blocking request sent to the origin and to an edge at once: how much later the edge answers.</summary>
    private async Task<List<double>> BlockedWaitAsync(string originUrl, string edgeUrl, int samples)
    {
        var origin = new Uri(new Uri(originUrl), (await http.GetStringAsync(originUrl)).Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        var edge = new Uri(new Uri(edgeUrl), origin.AbsolutePath);
        var delays = new List<double>();
        var (_, msn, next, _) = Parse(await http.GetStringAsync(origin));
        for (int i = 0; i < samples; i++)
        {
            string query = string.Create(CultureInfo.InvariantCulture, $"?_HLS_msn={msn}&_HLS_part={next}");
            var direct = TimedAsync(origin + query);
            var cached = TimedAsync(edge + query);
            var (playlist, directAt) = await direct;
            var (_, edgeAt) = await cached;
            delays.Add((edgeAt - directAt) * 1000.0 / Stopwatch.Frequency);
            (_, msn, next, _) = Parse(playlist);
        }

        delays.Sort();
        return delays;

        async Task<(string Body, long At)> TimedAsync(string url)
        {
            string body = await http.GetStringAsync(url);
            return (body, Stopwatch.GetTimestamp());
        }
    }

    /// <summary>A media playlist's part URIs, and the next part to ask for (msn, part index), and the part target.</summary>
    private static (List<string> Parts, long Msn, int Next, double PartTarget) Parse(string playlist)
    {
        var parts = new List<string>();
        long sequence = 0, segments = 0;
        int open = 0;
        double target = 0;
        foreach (string line in playlist.Split('\n'))
        {
            if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))
            {
                sequence = long.Parse(line[22..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-PART-INF:PART-TARGET=", StringComparison.Ordinal))
            {
                target = double.Parse(line[28..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-PART:", StringComparison.Ordinal))
            {
                int uri = line.IndexOf("URI=\"", StringComparison.Ordinal) + 5;
                parts.Add(line[uri..line.IndexOf('"', uri)]);
                open++;
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                segments++;
                open = 0;
            }
        }

        return (parts, sequence + segments, open, target);
    }

    [GeneratedRegex(@"^stagecast_http_requests_total\{.*\} (\S+)$", RegexOptions.Multiline)]
    private static partial Regex RequestCounter();

    /// <summary>nginx or Varnish from Debian, configured from the shipped files with the node as the only upstream.</summary>
    private sealed class Edge(Process process, string directory, int port) : IAsyncDisposable
    {
        public string Url => $"http://127.0.0.1:{port}";

        public static async Task<Edge> StartNginxAsync(string repository, int nodePort)
        {
            string directory = Directory.CreateTempSubdirectory("stagecast-bench-nginx-").FullName;
            File.SetUnixFileMode(directory, (UnixFileMode)0x1FF);
            int port = BenchServer.FreePort();
            string config = (await File.ReadAllTextAsync(Path.Combine(repository, "deploy", "edge", "nginx.conf")))
                .Replace("server 127.0.0.1:8081 max_fails=1 fail_timeout=2s;", $"server 127.0.0.1:{nodePort};")
                .Replace("        server 127.0.0.1:8082 max_fails=1 fail_timeout=2s;\n", "")
                .Replace("worker_processes auto;", $"worker_processes 1;\ndaemon off;\npid {directory}/nginx.pid;\nerror_log {directory}/error.log warn;")
                .Replace("/var/cache/stagecast-edge", directory + "/cache")
                .Replace("listen 8080 reuseport;", $"listen 127.0.0.1:{port};")
                .Replace("http {", $"http {{\n    client_body_temp_path {directory}/body;\n    proxy_temp_path {directory}/proxy;");
            await File.WriteAllTextAsync(Path.Combine(directory, "nginx.conf"), config);
            var process = BenchServer.Launch("nginx", ["-c", Path.Combine(directory, "nginx.conf"), "-p", directory + "/"]);
            await BenchServer.WaitForPortAsync(port);
            return new Edge(process, directory, port);
        }

        public static async Task<Edge> StartVarnishAsync(string repository, int nodePort)
        {
            string directory = Directory.CreateTempSubdirectory("stagecast-bench-varnish-").FullName;
            File.SetUnixFileMode(directory, (UnixFileMode)0x1FF);
            int port = BenchServer.FreePort();
            string vcl = (await File.ReadAllTextAsync(Path.Combine(repository, "deploy", "edge", "varnish.vcl")))
                .Replace("\"8081\"", $"\"{nodePort}\"").Replace("\"8082\"", $"\"{nodePort}\"");
            await File.WriteAllTextAsync(Path.Combine(directory, "stagecast.vcl"), vcl);
            var process = BenchServer.Launch("varnishd",
                ["-F", "-n", Path.Combine(directory, "work"), "-a", $"127.0.0.1:{port}", "-f", Path.Combine(directory, "stagecast.vcl"), "-s", "malloc,256m"]);
            await BenchServer.WaitForPortAsync(port);
            return new Edge(process, directory, port);
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
            Directory.Delete(directory, recursive: true);
        }
    }
}
