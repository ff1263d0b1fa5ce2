using System.Globalization;
using Stagecast.Testing;

namespace Stagecast.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class MetricsTests(ServerFixture server)
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
        Assert.Equal(during["stagecast_hls_parts_total"], during["stagecast_hls_part_listing_delay_seconds_count"]);
        Assert.True(during.ContainsKey("stagecast_dropped_frames_total"));
        Assert.True(during["dotnet_allocated_bytes_total"] > before["dotnet_allocated_bytes_total"]);
        Assert.True(during.ContainsKey("dotnet_gc_collections_total"));
    }

    private async Task<Dictionary<string, double>> ReadAsync()
    {
        string text = await server.Http.GetStringAsync("/metrics");
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#') && !line.Contains('{'))
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], CultureInfo.InvariantCulture));
    }
}
