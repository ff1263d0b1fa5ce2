using System.Globalization;
using System.Text.RegularExpressions;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hardening;

/// <summary>
/// Two minutes of the soak (bench/README.md has the hour): publishers, LL-HLS viewers and waves of hostile clients
/// against a server process of its own. Fails when resident memory grows past the bound after the warm-up, or a
/// playlist stops advancing.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed partial class ShortSoakTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(40);

    /// <summary>Growth allowed from the end of the warm-up to the end: the heap settles, it does not climb.</summary>
    private const double MaxGrowthPercent = 15;

    [Fact]
    public async Task MemoryStaysFlatAndPlaylistsAdvanceUnderLoadAndAttack()
    {
        await using var server = await ServerProcess.StartAsync();
        var api = await ProcessTests.ApiOfAsync(server);
        var streams = new List<CreatedLivestream>();
        var publishers = new List<ExternalProcess>();
        for (int i = 0; i < 3; i++)
        {
            var livestream = await api.CreateLivestreamAsync($"soak-{i}");
            streams.Add(livestream);
            publishers.Add(Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(200, "320x180")));
        }

        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(server.HttpBase) };
            using var stop = new CancellationTokenSource();
            foreach (var livestream in streams)
            {
                await api.WaitForStatusAsync(livestream.Id, "LIVE");
            }

            var viewers = streams.SelectMany(s => Enumerable.Range(0, 3).Select(_ => FollowAsync(http, s.PlaybackUrl, stop.Token))).ToList();
            var hostile = HostileWavesAsync(server.RtmpPort, stop.Token);
            var samples = new List<(TimeSpan At, double ResidentMiB)>();
            var started = DateTime.UtcNow;
            while (DateTime.UtcNow - started < Duration)
            {
                await Task.Delay(TimeSpan.FromSeconds(10));
                samples.Add((DateTime.UtcNow - started, ResidentMiB(server.Process.Id)));
            }

            await stop.CancelAsync();
            long[] advanced = await Task.WhenAll(viewers);
            await hostile;

            string figures = string.Join(", ", samples.Select(s => $"{s.At.TotalSeconds:F0}s {s.ResidentMiB:F0}"));
            Console.WriteLine($"short soak RSS MiB: {figures}");
            double atWarmUp = samples.First(s => s.At >= WarmUp).ResidentMiB;
            double atEnd = samples[^1].ResidentMiB;
            Assert.True(atEnd <= atWarmUp * (1 + (MaxGrowthPercent / 100)), $"resident memory grew from {atWarmUp:F0} to {atEnd:F0} MiB after the warm-up: {figures}");

            // Every viewer saw its playlist advance through the run (about 3 parts a second).
            Assert.All(advanced, parts => Assert.True(parts > 2 * Duration.TotalSeconds, $"a playlist advanced only {parts} parts: {string.Join(", ", advanced)}"));
        }
        finally
        {
            foreach (var publisher in publishers)
            {
                await publisher.DisposeAsync();
            }
        }
    }

    /// <summary>A viewer: reloads the media playlist every 300 ms and fetches each new part. Returns how many new parts it saw.</summary>
    private static async Task<long> FollowAsync(HttpClient http, string playbackUrl, CancellationToken stop)
    {
        string multivariant = await http.GetStringAsync(playbackUrl, stop);
        var media = new Uri(new Uri(playbackUrl), multivariant.Split('\n').First(l => l.Length > 0 && !l.StartsWith('#')).Trim());
        long newest = -1, seen = 0;
        try
        {
            while (true)
            {
                var parts = PartPattern().Matches(await http.GetStringAsync(media, stop));
                if (parts.Count > 0 && long.Parse(parts[^1].Groups[1].Value, CultureInfo.InvariantCulture) is var number && number > newest)
                {
                    await http.GetByteArrayAsync(new Uri(media, $"part{number}.m4s"), stop);
                    seen += newest < 0 ? 1 : number - newest;
                    newest = number;
                }

                await Task.Delay(300, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return seen;
        }
    }

    /// <summary>Every 20 s: 10 clients announcing 8 MiB messages and sending 200 KiB, and 10 trickling a byte now and then.</summary>
    private static async Task HostileWavesAsync(int rtmpPort, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(20), stop);
                var clients = await RawRtmpClient.OpenHostileWaveAsync(rtmpPort, 20);
                await Task.Delay(TimeSpan.FromSeconds(12), stop);
                foreach (var client in clients)
                {
                    await client.DisposeAsync();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static double ResidentMiB(int pid)
    {
        string line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    [GeneratedRegex(@"part(\d+)\.m4s")]
    private static partial Regex PartPattern();
}
