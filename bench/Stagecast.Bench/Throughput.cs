using System.Diagnostics;

namespace Stagecast.Bench;

/// <summary>
/// HLS serving throughput: a fixed number of HTTP clients each requesting as fast as answers come, for a fixed
/// time, against one live stream: media (parts and segments for Stagecast, segments for nginx) and playlists
/// (blocking reloads that are already satisfied for Stagecast, the playlist file for nginx).
/// </summary>
public static class Throughput
{
    public static async Task<ThroughputResult> MeasureAsync(string label, Func<Task<IReadOnlyList<string>>> urls, int clients, TimeSpan duration)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        IReadOnlyList<string> current = await urls();
        using var refresh = new CancellationTokenSource();
        var refresher = Task.Run(async () =>
        {
            while (!refresh.IsCancellationRequested)
            {
                await Task.Delay(500);
                current = await urls();
            }
        });

        long requests = 0, bytes = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async client =>
        {
            var buffer = new byte[65536];
            int i = client;
            while (clock.Elapsed < duration)
            {
                var list = current;
                string url = list[i++ % list.Count];
                try
                {
                    using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
                    if (!response.IsSuccessStatusCode)
                    {
                        Interlocked.Increment(ref errors);
                        continue;
                    }

                    await using var body = await response.Content.ReadAsStreamAsync();
                    int read;
                    long total = 0;
                    while ((read = await body.ReadAsync(buffer)) > 0)
                    {
                        total += read;
                    }

                    Interlocked.Increment(ref requests);
                    Interlocked.Add(ref bytes, total);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }));
        double seconds = clock.Elapsed.TotalSeconds;
        await refresh.CancelAsync();
        await refresher.ContinueWith(_ => { });
        return new ThroughputResult(label, requests / seconds, bytes / seconds / 1e6, errors);
    }
}

public sealed record ThroughputResult(string Label, double RequestsPerSecond, double MegabytesPerSecond, long Errors);
