using System.Buffers;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Stagecast.Hls;
using Stagecast.Media.Flv;
using Stagecast.Rtmp.Chunking;
using Stagecast.Streaming;
using Stagecast.Testing;

namespace Stagecast.Bench.Micro;

/// <summary>
/// One second of a 1.5 Mbit/s H.264 + AAC publish (30 video and 46 audio messages, chunk size 4096), per media
/// message: parsing chunks alone; then chunks, FLV/AVC parsing and the hub with a queued reader; then the same
/// with the LL-HLS packager writing fMP4 parts and playlists, as a live stream runs.
/// </summary>
[MemoryDiagnoser]
public class IngestBenchmarks
{
    private const int Messages = 76;
    private readonly IngestWorkload _workload = IngestWorkload.Create(seconds: 1);
    private ChunkReader _chunks = null!;
    private Pipeline _hub = null!;
    private Pipeline _hls = null!;

    [GlobalSetup]
    public void SetUp()
    {
        if (_workload.MediaMessages != Messages)
        {
            throw new InvalidOperationException($"the workload has {_workload.MediaMessages} messages");
        }

        _chunks = new ChunkReader();
        _chunks.SetChunkSize(IngestWorkload.ChunkSize);
        _hub = new Pipeline(_workload, withHls: false);
        _hls = new Pipeline(_workload, withHls: true);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _chunks.Dispose();
        _hub.Dispose();
        _hls.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public int ChunkParsing()
    {
        var buffer = new ReadOnlySequence<byte>(_workload.Media);
        int count = 0;
        while (_chunks.TryReadMessage(ref buffer, out var message))
        {
            count++;
            message.Return();
        }

        return count;
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public int IngestToHub() => _hub.FeedOneSecond();

    [Benchmark(OperationsPerInvoke = Messages)]
    public int IngestToHubAndLowLatencyHls() => _hls.FeedOneSecond();

    /// <summary>A published stream fed from the workload, its timeline continuing with each second fed.</summary>
    private sealed class Pipeline : IDisposable
    {
        private readonly IngestWorkload _workload;
        private readonly HubStreamReader _reader;
        private readonly IngestWorkload.Feeder _feeder;
        private uint _offset;

        public Pipeline(IngestWorkload workload, bool withHls)
        {
            _workload = workload;
            IHubStreamObserver[] observers = withHls
                ? [new HlsPackager(new HlsStreamRegistry(), Options.Create(new HlsOptions()), TimeProvider.System, [], NullLogger<HlsPackager>.Instance)]
                : [];
            var hub = TestHub.Create(TimeProvider.System, new StreamHubOptions(), observers);
            hub.TryPublish("bench", new PublisherInfo("rtmp", "127.0.0.1:1"), out var publisher);
            _reader = publisher!.Stream.AddReader("viewer");
            _feeder = new IngestWorkload.Feeder(publisher);
            _feeder.Feed(workload.Header);
        }

        public int FeedOneSecond()
        {
            int count = _feeder.Feed(_workload.Media, _offset);
            _offset += _workload.DurationMs;
            while (_reader.TryRead(out var frame))
            {
                frame.Release();
            }

            return count;
        }

        public void Dispose()
        {
            _reader.Dispose();
            _feeder.Dispose();
        }
    }
}

/// <summary>FLV tag bodies as they arrive in RTMP video and audio messages.</summary>
[MemoryDiagnoser]
public class FlvParsingBenchmarks
{
    private readonly byte[] _video = FlvBodies.AvcFrame(false, 66, FlvBodies.Nal(5_000));
    private readonly byte[] _audio = FlvBodies.AacFrame(new byte[380]);
    private readonly byte[] _enhanced = FlvBodies.HevcFrame(true, 0, FlvBodies.Nal(5_000));

    [Benchmark]
    public int AvcVideoTag() => FlvVideoTag.Parse(_video).DataOffset;

    [Benchmark]
    public int EnhancedRtmpHevcVideoTag() => FlvVideoTag.Parse(_enhanced).DataOffset;

    [Benchmark]
    public int AacAudioTag() => FlvAudioTag.Parse(_audio).DataOffset;
}
