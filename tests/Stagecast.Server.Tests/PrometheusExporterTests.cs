using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Stagecast.Server.Hosting.Metrics;

namespace Stagecast.Server.Tests;

[Trait("Category", "InProcess")]
public sealed class PrometheusExporterTests
{
    [Fact]
    public void EachLabelSetIsItsOwnSeriesWhoeverRecordsIt()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var exporter = new PrometheusExporter(meters, []);
        var requests = meters.Create("Stagecast.ExporterTest").CreateCounter<long>("stagecast_test_requests_total");

        for (int i = 0; i < 3; i++)
        {
            requests.Add(1, new KeyValuePair<string, object?>("route", "/a"), new KeyValuePair<string, object?>("status", 200));
        }

        requests.Add(1, new KeyValuePair<string, object?>("route", "/a"), new KeyValuePair<string, object?>("status", 404));
        requests.Add(2, new KeyValuePair<string, object?>("route", "say \"hi\""), new KeyValuePair<string, object?>("status", 200));
        requests.Add(7);

        var lines = exporter.Scrape().Split('\n').Where(l => l.StartsWith("stagecast_test_requests_total", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(
            [
                "stagecast_test_requests_total 7",
                "stagecast_test_requests_total{route=\"/a\",status=\"200\"} 3",
                "stagecast_test_requests_total{route=\"/a\",status=\"404\"} 1",
                "stagecast_test_requests_total{route=\"say \\\"hi\\\"\",status=\"200\"} 2",
            ],
            lines);
    }
}
