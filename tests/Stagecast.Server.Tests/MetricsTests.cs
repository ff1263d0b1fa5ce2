using System.Globalization;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

public sealed class MetricsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task MetricsCountIngestAndPartListingDelay()
    {
        var before = await ReadAsync();
        var livestream = await server.NewLivestreamAsync();
        await using var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(4));
        await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
        var during = await ReadAsync();

        Assert.True(during["stagecast_streams_live"] >= 1);
        Assert.True(during["stagecast_ingest_frames_total"] > before["stagecast_ingest_frames_total"]);
        Assert.True(during["stagecast_ingest_bytes_total"] > before["stagecast_ingest_bytes_total"]);
        Assert.True(during["stagecast_hls_parts_total"] >= before["stagecast_hls_parts_total"] + 3);
        Assert.True(during["stagecast_hls_part_listing_delay_seconds_count"] >= before.GetValueOrDefault("stagecast_hls_part_listing_delay_seconds_count") + 3);
        Assert.True(during.ContainsKey("stagecast_dropped_frames_total"));
        Assert.True(during["dotnet_allocated_bytes_total"] > before["dotnet_allocated_bytes_total"]);
        Assert.True(during.ContainsKey("dotnet_gc_collections_total"));
        Assert.True(during["process_cpu_seconds_total"] > 0);
        Assert.True(during["process_resident_memory_bytes"] > 10_000_000);
    }

    [Fact]
    public async Task LiveViewersAndPerLivestreamSeriesFollowTheStreamAndOperatorSeriesAreLabelled()
    {
        var tenant = await server.NewTenantAsync();
        var livestream = await tenant.CreateLivestreamAsync();
        await using (var publisher = Ffmpeg.Publish(livestream.PublishUrl, Ffmpeg.AudioVideo(60, "320x180")))
        {
            await server.WaitUntilPlayableAsync(livestream.PlaybackUrl);
            Assert.Equal(0, (await tenant.GetLivestreamAsync(livestream.Id)).GetProperty("livestream").GetProperty("live_viewers").GetInt32());

            await using var first = Player(livestream.PlaybackUrl);
            await using var second = Player(livestream.PlaybackUrl);
            var details = await WaitForViewersAsync(tenant, livestream.Id, 2);
            Assert.Equal(2, details.GetProperty("session").GetProperty("live_viewers").GetInt32());
            var active = (await tenant.GetAsync($"/livestreams/{livestream.Id}/active-livestream-session")).EnsureOk().Data;
            Assert.Equal(2, active.GetProperty("session").GetProperty("live_viewers").GetInt32());
            Assert.Equal($"{server.HttpBase}/watch/{livestream.Id}", active.GetProperty("livestream").GetProperty("watch_url").GetString());

            string text = await server.MetricsAsync();
            string label = $"{{livestream_id=\"{livestream.Id}\"}}";
            Assert.Equal(2, Value(text, $"stagecast_livestream_live_viewers{label}"));
            Assert.True(Value(text, $"stagecast_livestream_ingest_bits_per_second{label}") > 10_000);
            Assert.True(Value(text, $"stagecast_livestream_ingest_frames_total{label}") > 30);
            Assert.True(Value(text, $"stagecast_livestream_part_listing_delay_seconds{label}") is >= 0 and < 1);
            Assert.Equal(0, Value(text, $"stagecast_livestream_dropped_frames_total{label}"));
            Assert.Contains("stagecast_restream_outputs{state=\"streaming\"}", text);
            Assert.Contains("stagecast_webhook_deliveries_total{outcome=\"delivered\"}", text);
            Assert.Matches(@"stagecast_http_requests_total\{route=""/\{streamId\}/manifest/video.m3u8"",status=""200""\} \d+", text);
        }

        await tenant.WaitForStatusAsync(livestream.Id, "ERRORED"); // the publisher was killed: lost after the reconnect window
        var after = await server.MetricsAsync();
        Assert.DoesNotContain(livestream.Id, after); // bounded cardinality: only live streams have series
        Assert.Equal(0, (await tenant.GetLivestreamAsync(livestream.Id)).GetProperty("session").GetProperty("live_viewers").GetInt32());
    }

    private static ExternalProcess Player(string url) =>
        ExternalProcess.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-i", url, "-t", "60", "-f", "null", "-"]);

    private static Task<System.Text.Json.JsonElement> WaitForViewersAsync(StagecastApiClient tenant, string id, int count) =>
        Eventually.MatchAsync(() => tenant.GetLivestreamAsync(id), d => d.GetProperty("livestream").GetProperty("live_viewers").GetInt32() == count,
            $"{count} live viewers");

    private static double Value(string text, string series) =>
        double.Parse(text.Split('\n').Single(line => line.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], CultureInfo.InvariantCulture);

    private async Task<Dictionary<string, double>> ReadAsync()
    {
        string text = await server.MetricsAsync();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#') && !line.Contains('{'))
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
