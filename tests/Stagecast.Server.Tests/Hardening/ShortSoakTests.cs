using System.Globalization;
using System.Text.RegularExpressions;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Hardening;

/// <summary>
/// A minute and a half of the soak (bench/README.md has the hour): publishers, LL-HLS viewers and waves of hostile clients
/// against a server process of its own. Fails when resident memory grows past the bound after the warm-up, or a
/// playlist stops advancing.
/// </summary>
[Collection(HeavyCollection.Name)]
public sealed partial class ShortSoakTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SampleInterval = TimeSpan.FromSeconds(10);

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

            // Every ten seconds: a memory sample; every other one a wave of hostile clients comes, and goes at the next.
            var samples = new List<(TimeSpan At, double ResidentMiB)>();
            var started = DateTime.UtcNow;
            IReadOnlyList<RawRtmpClient> wave = [];
            for (int tick = 1; DateTime.UtcNow - started < Duration; tick++)
            {
                await Task.Delay(SampleInterval); // the soak is time: memory is sampled at a steady pace
                samples.Add((DateTime.UtcNow - started, ResidentMiB(server.Process.Id)));
                if (tick % 2 == 1)
                {
                    wave = await RawRtmpClient.OpenHostileWaveAsync(server.RtmpPort, 20);
                }
                else
                {
                    await CloseAsync(wave);
                }
            }

            await CloseAsync(wave);
            await stop.CancelAsync();
            long[] advanced = await Task.WhenAll(viewers);

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

    /// <summary>
    /// A viewer as LL-HLS players are: takes the newest part from the playlist, then asks for each next part, which the
    /// server holds until it is written. Returns how many parts it got.
    /// </summary>
    private static async Task<long> FollowAsync(HttpClient http, string playbackUrl, CancellationToken stop)
    {
        string multivariant = await http.GetStringAsync(playbackUrl, stop);
        var media = new Uri(new Uri(playbackUrl), multivariant.Split('\n').First(l => l.Length > 0 && !l.StartsWith('#')).Trim());
        long seen = 0;
        try
        {
            var parts = PartPattern().Matches(await http.GetStringAsync(media, stop));
            long next = long.Parse(parts[^1].Groups[1].Value, CultureInfo.InvariantCulture);
            while (true)
            {
                using var part = await http.GetAsync(new Uri(media, $"part{next}.m4s"), stop);
                if (part.IsSuccessStatusCode)
                {
                    await part.Content.ReadAsByteArrayAsync(stop);
                    seen++;
                    next++;
                }
                else
                {
                    // Fell out of the window (or a blocking wait timed out): start again from the playlist.
                    var again = PartPattern().Matches(await http.GetStringAsync(media, stop));
                    next = long.Parse(again[^1].Groups[1].Value, CultureInfo.InvariantCulture) + 1;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return seen;
        }
    }

    private static async Task CloseAsync(IReadOnlyList<RawRtmpClient> clients)
    {
        foreach (var client in clients)
        {
            await client.DisposeAsync();
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
