using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Stagecast.Bench;

/// <summary>
/// The LL-HLS viewer ceiling (<c>bench/run.sh --scenario llhls [--counts 250,500,…] [--window S]</c>, Stagecast
/// alone): players of one 720p stream doing what hls.js does at the live edge, a blocking playlist reload for the part
/// after the last one it has, then that part, downloaded whole, again and again. Players are added in steps until a
/// part comes late. A part is late when a player has it more than one part target after the first player had it; a
/// step is healthy when no part was late, no request failed and every player fetched at least 90 % of the parts the
/// stream made in the window.
/// </summary>
public sealed class LlHlsViewersScenario(string repository, HttpClient http)
{
    /// <summary>The steps as measured, for the smoke's checks (the report has them as a table).</summary>
    public List<LlHlsStep> Steps { get; } = [];

    public async Task<string> RunAsync(ChunkedClip clip, int[] steps, TimeSpan warmup, TimeSpan window)
    {
        await using var server = new StagecastServer(repository, http);
        await server.StartAsync();
        return await RunAsync(server, clip, steps, warmup, window);
    }

    /// <summary>The steps on a server already started (the smoke's).</summary>
    public async Task<string> RunAsync(StagecastServer server, ChunkedClip clip, int[] steps, TimeSpan warmup, TimeSpan window)
    {
        await using var driver = new LoadDriver();
        var slot = (await server.CreateStreamsAsync(1))[0];
        await driver.AddAsync([new ReplayPublisher(slot.Key, clip, logSends: false)], "127.0.0.1", server.RtmpPort, "live");
        var (media, partTarget) = await MediaPlaylistAsync(slot.PlaybackUrl);

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        var firstArrival = new ConcurrentDictionary<(long Msn, int Part), long>();
        var players = new List<Player>();
        using var stop = new CancellationTokenSource();
        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture, $"| LL-HLS players of one stream ({clip.Bitrate / 1e6:F1} Mbit/s, parts of {partTarget.TotalMilliseconds:F0} ms) | server CPU, % of one core | parts per player (min / expected) | part spread p50 / p95 / max | late parts | failed requests | Gbit/s served | healthy |");
        report.AppendLine("|---|---|---|---|---|---|---|---|");
        try
        {
            foreach (int count in steps)
            {
                while (players.Count < count)
                {
                    players.Add(new Player(client, media, firstArrival, stop.Token));
                }

                await Task.Delay(warmup);
                foreach (var player in players)
                {
                    player.Reset();
                }

                double cpuBefore = ProcessMeter.CpuSeconds(server.Pid);
                var clock = Stopwatch.StartNew();
                await Task.Delay(window);
                double seconds = clock.Elapsed.TotalSeconds;
                double cpu = ProcessMeter.CpuSeconds(server.Pid) - cpuBefore;
                var spreads = players.SelectMany(p => p.Spreads()).Order().ToArray();
                long minParts = players.Min(p => p.Parts);
                double expected = seconds / partTarget.TotalSeconds;
                long late = spreads.LongCount(s => s > partTarget.TotalMilliseconds);
                long failed = players.Sum(p => p.Failed);
                double gbps = players.Sum(p => p.Bytes) * 8 / seconds / 1e9;
                bool healthy = late == 0 && failed == 0 && minParts >= 0.9 * expected;
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"| {count} | {100 * cpu / seconds:F0} | {minParts} / {expected:F0} | {Quantile(spreads, 0.5):F0} / {Quantile(spreads, 0.95):F0} / {(spreads.Length > 0 ? spreads[^1] : double.NaN):F0} ms | {late} | {failed} | {gbps:F2} | {(healthy ? "yes" : "no")} |");
                Steps.Add(new LlHlsStep(count, minParts, failed, healthy));
                report.AppendLine(line);
                Console.WriteLine($"  {count} players: {line}");
                if (!healthy)
                {
                    break;
                }
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(players.Select(p => p.Running));
        }

        return report.ToString();
    }

    private static double Quantile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, q * sorted.Length)];

    /// <summary>The media playlist of the multivariant one at <paramref name="playbackUrl"/>, once it lists parts, and its part target.</summary>
    private async Task<(string Url, TimeSpan PartTarget)> MediaPlaylistAsync(string playbackUrl)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                string multivariant = await http.GetStringAsync(playbackUrl);
                string media = new Uri(new Uri(playbackUrl), multivariant.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1]).ToString();
                var playlist = MediaPlaylist.Parse(await http.GetStringAsync(media));
                if (playlist.PartTarget is { } partTarget && playlist.Parts.Count > 3)
                {
                    return (media, TimeSpan.FromSeconds(partTarget));
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the stream's playlist never listed parts");
            }

            await Task.Delay(200);
        }
    }

    /// <summary>One player at the live edge: blocking reload for the next part, then the part, in a loop.</summary>
    private sealed class Player
    {
        private readonly HttpClient _http;
        private readonly string _media;
        private readonly ConcurrentDictionary<(long Msn, int Part), long> _firstArrival;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly Lock _sync = new();
        private List<double> _spreads = [];
        private long _parts;
        private long _bytes;
        private long _failed;

        public Player(HttpClient http, string media, ConcurrentDictionary<(long Msn, int Part), long> firstArrival, CancellationToken stop)
        {
            _http = http;
            _media = media;
            _firstArrival = firstArrival;
            Running = Task.Run(() => RunAsync(stop));
        }

        public Task Running { get; }

        public long Parts => Interlocked.Read(ref _parts);

        public long Bytes => Interlocked.Read(ref _bytes);

        public long Failed => Interlocked.Read(ref _failed);

        /// <summary>For each part had since the last reset, how long after the first player had it (ms).</summary>
        public List<double> Spreads()
        {
            lock (_sync)
            {
                return [.. _spreads];
            }
        }

        public void Reset()
        {
            lock (_sync)
            {
                _spreads = [];
            }

            Interlocked.Exchange(ref _parts, 0);
            Interlocked.Exchange(ref _bytes, 0);
            Interlocked.Exchange(ref _failed, 0);
        }

        private async Task RunAsync(CancellationToken stop)
        {
            (long Msn, int Part)? last = null;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    string url = last is { } had ? $"{_media}?_HLS_msn={had.Msn}&_HLS_part={had.Part + 1}" : _media;
                    var parts = MediaPlaylist.Parse(await _http.GetStringAsync(url, stop)).Parts;
                    int index = last is { } previous ? parts.FindIndex(p => (p.Msn, p.Index) == previous) + 1 : parts.Count - 1;
                    if (index <= 0 || index >= parts.Count)
                    {
                        // Fell out of the playlist (too slow) or nothing newer yet: start again at the newest part.
                        if (last is not null && index <= 0)
                        {
                            Interlocked.Increment(ref _failed);
                        }

                        last = index <= 0 && parts.Count > 0 ? (parts[^1].Msn, parts[^1].Index) : last;
                        continue;
                    }

                    var part = parts[index];
                    using var response = await _http.GetAsync(new Uri(new Uri(_media), part.Uri), HttpCompletionOption.ResponseHeadersRead, stop);
                    response.EnsureSuccessStatusCode();
                    await using var body = await response.Content.ReadAsStreamAsync(stop);
                    int read;
                    while ((read = await body.ReadAsync(_buffer, stop)) > 0)
                    {
                        Interlocked.Add(ref _bytes, read);
                    }

                    long now = Stopwatch.GetTimestamp();
                    long first = _firstArrival.GetOrAdd((part.Msn, part.Index), now);
                    lock (_sync)
                    {
                        _spreads.Add(Stopwatch.GetElapsedTime(first, now).TotalMilliseconds);
                    }

                    Interlocked.Increment(ref _parts);
                    last = (part.Msn, part.Index);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
                {
                    Interlocked.Increment(ref _failed);
                    last = null;
                }
            }
        }
    }
}

/// <summary>One step: players, the fewest parts one of them fetched in the window, failed requests, and the verdict.</summary>
public sealed record LlHlsStep(int Players, long MinParts, long Failed, bool Healthy);
