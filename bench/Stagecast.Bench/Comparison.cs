namespace Stagecast.Bench;

/// <summary>
/// The main run: Stagecast's builds and nginx-rtmp started together, each measured idle first, then the same loads
/// in rounds that take turns between the servers (this machine's CPU figures swing several-fold from minute to minute,
/// so one server's window must not all fall in another's quiet minute), then the live edge, HTTP throughput and
/// the publisher ramp one server after the other.
/// </summary>
public sealed class Comparison(HttpClient http, BenchSettings settings)
{
    /// <summary>Runs everything on the servers given, which this disposes of.</summary>
    public async Task<List<ServerResults>> RunAsync(IReadOnlyList<BenchServer> servers, IReadOnlyList<(string Name, ChunkedClip Clip)> clips, Func<string, bool> runs,
        int? variantOnly, Func<BenchServer, bool> loadOnly)
    {
        try
        {
            foreach (var server in servers)
            {
                await server.StartAsync();
            }

            // Nobody has connected yet: what each build costs doing nothing, and its memory before any stream.
            Console.WriteLine($"\n== idle ({settings.IdleWindow.TotalSeconds} s, after {settings.IdleSettle.TotalSeconds} s to settle) ==");
            await Task.Delay(settings.IdleSettle);
            var idle = await Task.WhenAll(servers.Select(s => IdleScenario.MeasureIdleAsync(s, settings.IdleWindow)));
            for (int i = 0; i < servers.Count; i++)
            {
                Console.WriteLine($"  {servers[i].Name}: {idle[i].CpuPercent:F2} % of a core, {idle[i].RssMiB:F0} MiB");
            }

            var scenarios = servers.Select(s => new Scenarios(s, http, settings)).ToList();
            foreach (var (server, scenario) in servers.Zip(scenarios))
            {
                Console.WriteLine($"  {server.Name}: warming up ({settings.ServerWarmup.TotalSeconds} s)");
                await scenario.WarmUpAsync(clips.Select(c => c.Clip).ToList());
            }

            await Task.Delay(3000);
            var loads = servers.Select(_ => new List<LoadResult>()).ToList();
            if (runs("load"))
            {
                Console.WriteLine($"\n== load ({settings.Rounds} rounds, the servers taking turns) ==");
                foreach (var (variant, clip) in clips.Where((_, i) => variantOnly is null || variantOnly == i))
                {
                    foreach (int count in settings.LoadCounts)
                    {
                        for (int round = 0; round < settings.Rounds; round++)
                        {
                            // Each round starts with another server, so none is always measured right after a warm machine's rest.
                            for (int turn = 0; turn < servers.Count; turn++)
                            {
                                int i = (turn + round) % servers.Count;
                                var load = await scenarios[i].SteadyLoadAsync(clip, variant, count);
                                loads[i].Add(load);
                                Console.WriteLine($"  {servers[i].Name}, {variant}, {count,4} publishers, round {round + 1}: {load.Summary}");
                                await Task.Delay(2000);
                            }
                        }
                    }
                }
            }

            var results = new List<ServerResults>();
            for (int i = 0; i < servers.Count; i++)
            {
                var server = servers[i];
                var edge = new EdgeResult(double.NaN, double.NaN, 0, double.NaN, double.NaN, double.NaN, null);
                var throughput = new List<ThroughputResult>();
                var ramp = new List<LoadResult>();
                if (!loadOnly(server))
                {
                    Console.WriteLine($"\n== {server.Name} ==");
                    if (runs("edge"))
                    {
                        edge = await scenarios[i].LiveEdgeAsync(clips[0].Clip, settings.EdgeStreams);
                        Console.WriteLine($"  live edge: p50 {edge.DelayP50Ms:F1} ms, p95 {edge.DelayP95Ms:F1} ms ({edge.Samples} samples); first playable p50 {edge.FirstPlayableP50Ms:F0} ms, p95 {edge.FirstPlayableP95Ms:F0} ms (publish accepted p50 {edge.PublishAcceptedP50Ms:F0} ms) {edge.Error}");
                    }

                    if (runs("throughput"))
                    {
                        throughput = await scenarios[i].HttpThroughputAsync(clips[0].Clip);
                        foreach (var result in throughput)
                        {
                            Console.WriteLine($"  {result.Label}: {result.RequestsPerSecond:F0} req/s, {result.MegabytesPerSecond:F1} MB/s, {result.Errors} answers not 2xx");
                        }
                    }

                    if (runs("ramp"))
                    {
                        Console.WriteLine($"  ramp ({clips[1].Name}):");
                        ramp = await scenarios[i].RampAsync(clips[1].Clip, clips[1].Name);
                    }
                }

                results.Add(new ServerResults(server.Name, server is NginxServer nginx ? $"{nginx.Workers} worker(s)" : "defaults", loads[i], edge, throughput, ramp)
                {
                    Idle = idle[i],
                    LoadOnly = loadOnly(server),
                });
            }

            return results;
        }
        finally
        {
            foreach (var server in servers)
            {
                await server.DisposeAsync();
            }
        }
    }
}
