using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Stagecast.Testing;
using Stagecast.Testing.WebRtc;
using Stagecast.WebRtc.Dtls;

namespace Stagecast.Bench;

/// <summary>
/// A long run under steady load with hostile clients throughout: RTMP publishers replaying a clip, WHIP publishers
/// (simple-whip-client, 360p H.264 and Opus), LL-HLS viewers that follow every part with blocking reloads and
/// download it, and, 20 s after the last one ended, a wave of memory-hostage RTMP clients (large messages announced, bodies trickled),
/// slowloris clients, WHEP peers that keep ICE alive but never start DTLS, and API token guessers. The server's
/// resident memory and CPU are sampled every 30 s; the memory slope after the warm-up says whether it leaks.
/// Viewers report the longest time their playlist went without a new part.
/// </summary>
public sealed class SoakScenario(string repository, HttpClient http)
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan HostileEvery = TimeSpan.FromSeconds(20);
    private const double Mebi = 1024.0 * 1024.0;

    public async Task<string> RunAsync(ChunkedClip clip, string variant, TimeSpan duration, int publishers, int whipPublishers, int viewersPerStream)
    {
        await using var server = new StagecastServer(repository, http);
        await server.StartAsync();
        var slots = await server.CreateStreamsAsync(publishers);
        var rtmpSlots = slots.Take(publishers - whipPublishers).ToList();
        await using var driver = new LoadDriver();
        var replays = rtmpSlots.Select(s => new ReplayPublisher(s.Key, clip, logSends: true)).ToList();
        await driver.AddAsync(replays, "127.0.0.1", server.RtmpPort, "live");
        var whips = new List<WhipPublisher>();
        foreach (var slot in slots.Skip(rtmpSlots.Count))
        {
            whips.Add(await WhipPublisher.StartAsync(repository, $"http://127.0.0.1:{server.HttpPort}/{slot.Id}/whip", slot.Key, 640, 360, 500));
        }

        using var stop = new CancellationTokenSource();
        var observers = slots.Select((slot, i) => (Slot: slot, Replay: i < replays.Count ? replays[i] : null))
            .SelectMany(p => Enumerable.Range(0, viewersPerStream).Select(_ => new EdgeObserver(http, p.Replay, p.Slot.PlaybackUrl, lowLatency: true, fetchParts: true)))
            .ToList();
        var watching = observers.Select(o => o.RunAsync(stop.Token)).ToList();
        // Stalled WHEP peers go to a WHIP stream (the RTMP clip has B-frames, which WHEP refuses).
        var hostile = HostileWavesAsync(server, whips.Count > 0 ? $"http://127.0.0.1:{server.HttpPort}/{slots[^1].Id}/whep" : null, stop.Token);

        var samples = new List<(double Minutes, double ResidentMiB, double ServerMiB, double CpuPercent, long Dropped)>();
        var started = DateTime.UtcNow;
        double lastCpu = ProcessMeter.CpuSeconds(server.Pid);
        var lastAt = DateTime.UtcNow;
        while (DateTime.UtcNow - started < duration)
        {
            await Task.Delay(SampleEvery);
            double cpu = ProcessMeter.CpuSeconds(server.Pid);
            var now = DateTime.UtcNow;
            samples.Add(((now - started).TotalMinutes, ProcessMeter.ResidentBytes(server.Pid) / Mebi, ProcessMeter.ProcessResidentBytes(server.Pid) / Mebi, 100 * (cpu - lastCpu) / (now - lastAt).TotalSeconds, await server.DroppedFramesAsync() ?? 0));
            (lastCpu, lastAt) = (cpu, now);
            var s = samples[^1];
            Console.WriteLine($"  {s.Minutes,6:F1} min  RSS {s.ResidentMiB,7:F1} MiB (server {s.ServerMiB,6:F1})  CPU {s.CpuPercent,5:F1} %  dropped {s.Dropped}");
        }

        var (edgeP50, edgeP95) = Percentiles(observers.SelectMany(o => o.DelaysMs).ToList());
        var errors = observers.Where(o => o.Error is not null).Select(o => o.Error).Distinct().ToList();
        string players = (await http.GetStringAsync(server.MetricsUrl)).Split('\n').FirstOrDefault(l => l.StartsWith("stagecast_hls_players ", StringComparison.Ordinal)) ?? "stagecast_hls_players ?";
        int whipsAlive = whips.Count(w => !w.HasExited);
        await stop.CancelAsync();
        await Task.WhenAll(watching);
        var (hostileWaves, guesses, rateLimited, stalledPeers) = await hostile;
        foreach (var whip in whips)
        {
            whip.Dispose();
        }

        double longestGap = observers.Max(o => o.LongestGapMs);
        double gigabytes = observers.Sum(o => o.BytesFetched) / 1e9;
        long parts = observers.Sum(o => o.PartsFetched);

        // The warm-up is the first fifth of the run (JIT, pools, the first HLS windows filling). The slope is taken on
        // the whole tree (the server and its Opus-to-AAC transcoders) and on the server process alone.
        var steady = samples.Where(s => s.Minutes >= duration.TotalMinutes / 5).ToList();
        var tree = Growth(steady.Select(s => (s.Minutes, s.ResidentMiB)).ToList());
        var alone = Growth(steady.Select(s => (s.Minutes, s.ServerMiB)).ToList());

        var report = new StringBuilder();
        report.AppendLine(CultureInfo.InvariantCulture,
            $"Soak {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {duration.TotalMinutes:F0} min, {replays.Count} RTMP publishers ({variant}) and {whips.Count} WHIP publishers (360p H.264 500 kbit/s + Opus; {whipsAlive} still up at the end), " +
            $"{observers.Count} LL-HLS viewers ({parts} parts, {gigabytes:F1} GB fetched; at the end `{players.Trim()}`), {hostileWaves} hostile waves " +
            $"({hostileWaves * 40} hostile RTMP clients, {stalledPeers} WHEP peers stalled before DTLS, {guesses} token guesses of which {rateLimited} answered 429).");
        report.AppendLine();
        report.AppendLine("| Minute | RSS MiB (tree) | RSS MiB (server) | CPU % | Dropped frames |");
        report.AppendLine("|---|---|---|---|---|");
        foreach (var s in samples)
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {s.Minutes:F1} | {s.ResidentMiB:F1} | {s.ServerMiB:F1} | {s.CpuPercent:F1} | {s.Dropped} |");
        }

        report.AppendLine();
        report.AppendLine(CultureInfo.InvariantCulture, $"After the warm-up: tree RSS slope {tree.Slope:F3} MiB/min, {tree.Percent:F1} % over the steady part (mean {tree.Mean:F0} MiB); server alone {alone.Slope:F3} MiB/min, {alone.Percent:F1} % (mean {alone.Mean:F0} MiB); listing delay at the viewers p50 {edgeP50:F0} ms, p95 {edgeP95:F0} ms; longest wait for a new part at any viewer {longestGap / 1000:F1} s; viewer errors: {(errors.Count == 0 ? "none" : string.Join("; ", errors))}.");
        return report.ToString();
    }

    /// <summary>
    /// Waves 20 s apart: 20 memory-hostage clients, 20 slowloris clients, 5 WHEP peers stalled before DTLS and 50 token
    /// guesses, held for 15 s after the guesses. Past the tenth, each guess is answered after the throttle's 1 s, so a
    /// wave lasts about 55 s and one starts about every 75 s.
    /// </summary>
    private async Task<(int Waves, int Guesses, int RateLimited, int StalledPeers)> HostileWavesAsync(BenchServer server, string? whepUrl, CancellationToken stop)
    {
        int waves = 0, guesses = 0, limited = 0, stalled = 0;
        var certificate = DtlsCertificate.Create(TimeProvider.System);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(HostileEvery, stop);
                waves++;
                var clients = await RawRtmpClient.OpenHostileWaveAsync(server.RtmpPort, 40);
                var peers = new List<WhepClient>();
                for (int i = 0; i < 5 && whepUrl is not null; i++)
                {
                    peers.Add(await WhepClient.OfferWithoutDtlsAsync(http, whepUrl, certificate, stop));
                    stalled++;
                }

                for (int i = 0; i < 50; i++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{server.HttpPort}/client/v4/accounts/bench/realtime/kit/bench/livestreams");
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", $"sct_guess_{waves}_{i}");
                    using var response = await http.SendAsync(request, stop);
                    guesses++;
                    limited += (int)response.StatusCode == 429 ? 1 : 0;
                }

                await Task.Delay(TimeSpan.FromSeconds(15), stop);
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                }

                foreach (var peer in peers)
                {
                    await peer.DisposeAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return (waves, guesses, limited, stalled);
    }

    /// <summary>The least-squares slope per minute, the growth it makes over the span in % of the mean, and the mean.</summary>
    private static (double Slope, double Percent, double Mean) Growth(IReadOnlyList<(double X, double Y)> points)
    {
        double slope = Slope(points);
        double mean = points.Average(p => p.Y);
        return (slope, 100 * slope * (points[^1].X - points[0].X) / mean, mean);
    }

    private static double Slope(IReadOnlyList<(double X, double Y)> points)
    {
        double meanX = points.Average(p => p.X), meanY = points.Average(p => p.Y);
        double covariance = points.Sum(p => (p.X - meanX) * (p.Y - meanY));
        double variance = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        return variance == 0 ? 0 : covariance / variance;
    }

    private static (double P50, double P95) Percentiles(List<double> values)
    {
        if (values.Count == 0)
        {
            return (double.NaN, double.NaN);
        }

        values.Sort();
        return (values[values.Count / 2], values[(int)(values.Count * 0.95)]);
    }
}
