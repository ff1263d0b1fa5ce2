using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.Hls;
using Stagecast.Streaming;
using Stagecast.Testing;
using Xunit.Abstractions;

namespace Stagecast.Server.Tests;

/// <summary>
/// The ingest path in steady state (chunks, FLV/AVC parsing, the hub, a viewer-style queued reader) allocates
/// nothing per media message: payloads live in pooled buffers and frames are pooled, also with many streams
/// holding thousands of frames at once (each stream's GOP cache keeps up to a second). The LL-HLS packager adds
/// what a new part costs (its rendered playlist and a few small objects), three times a second.
/// </summary>
[Collection(AloneCollection.Name)]
[Trait("Category", "InProcess")]
public sealed class IngestAllocationTests(ITestOutputHelper output)
{
    private const int Seconds = 20;
    private const int Streams = 50;
    private static readonly IngestWorkload Workload = IngestWorkload.Create(seconds: 1);

    [Fact]
    public void SteadyStateIngestAllocatesNothingPerMediaMessage()
    {
        var hub = TestHub.Create(TimeProvider.System, new StreamHubOptions());
        var (messages, allocated) = Measure(hub);

        output.WriteLine($"{allocated} bytes for {messages} messages");
        // Less than a byte per message: one allocation per message would be tens of bytes each.
        Assert.True(allocated < messages, $"{allocated} bytes allocated for {messages} media messages");
    }

    [Fact]
    public void TheLowLatencyHlsPackagerAllocatesOnlyPerPart()
    {
        var registry = new HlsStreamRegistry();
        var packager = new HlsPackager(registry, Options.Create(new HlsOptions()), TimeProvider.System, [], NullLogger<HlsPackager>.Instance);
        var hub = TestHub.Create(TimeProvider.System, new StreamHubOptions(), packager);
        var (messages, allocated) = Measure(hub);

        Assert.True(registry.TryGet("s7", out var stream));
        Assert.True(stream.Snapshot!.LastCompleteMsn >= 2 * Seconds - 2, "the packager kept up");
        double parts = Streams * Seconds / new HlsOptions().PartTarget.TotalSeconds;
        output.WriteLine($"{allocated} bytes for {messages} messages, {parts:F0} parts: {allocated / parts:F0} per part");
        Assert.True(allocated / parts < 8192, $"{allocated / parts:F0} bytes allocated per part");
    }

    /// <summary>
    /// <see cref="Streams"/> streams publish for <see cref="Seconds"/> s to warm up (pools, playlist windows, JIT),
    /// then are measured for as long again.
    /// </summary>
    private static (int Messages, long Allocated) Measure(StreamHub hub)
    {
        var streams = new List<(IngestWorkload.Feeder Feeder, HubStreamReader Reader)>();
        for (int i = 0; i < Streams; i++)
        {
            Assert.Equal(PublishResult.Started, hub.TryPublish($"s{i}", new PublisherInfo("rtmp", "127.0.0.1:1"), out var publisher));
            var feeder = new IngestWorkload.Feeder(publisher!);
            feeder.Feed(Workload.Header);
            streams.Add((feeder, publisher!.Stream.AddReader("viewer")));
        }

        uint offset = 0;
        int Run()
        {
            int messages = 0;
            for (int second = 0; second < Seconds; second++, offset += Workload.DurationMs)
            {
                foreach (var (feeder, reader) in streams)
                {
                    messages += feeder.Feed(Workload.Media, offset);
                    while (reader.TryRead(out var frame))
                    {
                        frame.Release();
                    }
                }
            }

            return messages;
        }

        try
        {
            Run();
            (int Messages, long Allocated) Window()
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                int measured = Run();
                return (measured, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            // The quieter of two windows: a collection can still make the shared array pool trim itself, and the next
            // rent of a large buffer (64 KiB and more) then lands in one window. What is allocated per message is in both.
            var first = Window();
            var second = Window();
            return first.Allocated <= second.Allocated ? first : second;
        }
        finally
        {
            foreach (var (feeder, reader) in streams)
            {
                reader.Dispose();
                feeder.Dispose();
            }
        }
    }
}
