using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.Hls;
using Stagecast.Streaming;
using Stagecast.Testing;
using Xunit.Abstractions;

namespace Stagecast.Server.Tests;

/// <summary>
/// The ingest path in steady state (chunks, FLV/AVC parsing, the hub, a viewer-style queued reader) allocates
/// nothing per media message: payloads live in pooled buffers and frames are pooled. The LL-HLS packager adds
/// what a new part costs (its rendered playlist and a few small objects), three times a second.
/// </summary>
public sealed class IngestAllocationTests(ITestOutputHelper output)
{
    private const int Seconds = 40;
    private static readonly IngestWorkload Workload = IngestWorkload.Create(seconds: 1);

    [Fact]
    public void SteadyStateIngestAllocatesNothingPerMediaMessage()
    {
        var hub = TestHub.Create(TimeProvider.System, new StreamHubOptions());
        var (messages, allocated) = Measure(hub);

        output.WriteLine($"{allocated} bytes for {messages} messages");
        Assert.True(allocated < 1024, $"{allocated} bytes allocated for {messages} media messages");
    }

    [Fact]
    public void TheLowLatencyHlsPackagerAllocatesOnlyPerPart()
    {
        var registry = new HlsStreamRegistry();
        var packager = new HlsPackager(registry, Options.Create(new HlsOptions()), TimeProvider.System, NullLogger<HlsPackager>.Instance);
        var hub = TestHub.Create(TimeProvider.System, new StreamHubOptions(), packager);
        var (messages, allocated) = Measure(hub);

        Assert.True(registry.TryGet("s1", out var stream));
        Assert.True(stream.Snapshot!.LastCompleteMsn >= 2 * Seconds - 2, "the packager kept up");
        double parts = Seconds / new HlsOptions().PartTarget.TotalSeconds;
        output.WriteLine($"{allocated} bytes for {messages} messages, {parts:F0} parts: {allocated / parts:F0} per part");
        Assert.True(allocated / parts < 8192, $"{allocated / parts:F0} bytes allocated per part");
    }

    /// <summary>Publishes for <see cref="Seconds"/> s to warm up (pools, playlist window, JIT), then measures as long again.</summary>
    private static (int Messages, long Allocated) Measure(StreamHub hub)
    {
        Assert.Equal(PublishResult.Started, hub.TryPublish("s1", new PublisherInfo("rtmp", "127.0.0.1:1"), out var publisher));
        using var reader = publisher!.Stream.AddReader("viewer");
        using var feeder = new IngestWorkload.Feeder(publisher);
        feeder.Feed(Workload.Header);
        uint offset = 0;
        int Run()
        {
            int messages = 0;
            for (int i = 0; i < Seconds; i++, offset += Workload.DurationMs)
            {
                messages += feeder.Feed(Workload.Media, offset);
                while (reader.TryRead(out var frame))
                {
                    frame.Release();
                }
            }

            return messages;
        }

        Run();
        long before = GC.GetAllocatedBytesForCurrentThread();
        int measured = Run();
        return (measured, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
