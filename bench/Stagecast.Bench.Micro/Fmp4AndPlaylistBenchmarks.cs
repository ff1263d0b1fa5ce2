using System.Buffers;
using BenchmarkDotNet.Attributes;
using Stagecast.Media.Fmp4;
using Stagecast.Media.Hls;

namespace Stagecast.Bench.Micro;

/// <summary>
/// One LL-HLS part as the packager writes it: ten 30 fps video frames and sixteen AAC frames (0.333 s,
/// ~60 KB at 1.5 Mbit/s), moof + mdat header, then the payload copied in after it.
/// </summary>
[MemoryDiagnoser]
public class Fmp4PartBenchmarks
{
    private readonly BoxBuffer _box = new(4096);
    private readonly TrackRun[] _runs = new TrackRun[2];
    private readonly byte[][] _payloads = [.. Enumerable.Range(0, 26).Select(i => new byte[i < 10 ? (i == 0 ? 40_000 : 2_000) : 380])];
    private uint _sequence;

    [GlobalSetup]
    public void SetUp()
    {
        var video = Enumerable.Range(0, 10).Select(i => new FragmentSample(3000, _payloads[i].Length, i == 0, i == 0 ? 0 : 3000)).ToArray();
        var audio = Enumerable.Range(0, 16).Select(i => new FragmentSample(1024, 380, true, 0)).ToArray();
        _runs[0] = new TrackRun(1, 90_000, video, IsVideo: true);
        _runs[1] = new TrackRun(2, 48_000, audio, IsVideo: false);
    }

    [Benchmark]
    public int WritePart()
    {
        _box.Reset();
        long payload = FragmentWriter.WriteHeader(_box, ++_sequence, _runs);
        byte[] part = ArrayPool<byte>.Shared.Rent(checked((int)(_box.Length + payload)));
        _box.WrittenSpan.CopyTo(part);
        int offset = _box.Length;
        foreach (byte[] sample in _payloads)
        {
            sample.CopyTo(part.AsSpan(offset));
            offset += sample.Length;
        }

        ArrayPool<byte>.Shared.Return(part);
        return offset;
    }
}

/// <summary>
/// The media playlist rendered after each new part: seven segments, the last three with their parts listed
/// (as LL-HLS lists parts for the last three target durations), and a preload hint.
/// </summary>
[MemoryDiagnoser]
public class PlaylistBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly List<PlaylistSegment> _segments = [];
    private readonly MediaPlaylistHeader _header = new(2, 0.334);

    [GlobalSetup]
    public void SetUp()
    {
        var start = new DateTimeOffset(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
        long part = 1000;
        for (int s = 0; s < 7; s++)
        {
            var segment = new PlaylistSegment(300 + s, 0, start.AddSeconds(s), discontinuity: false);
            for (int p = 0; p < 3; p++)
            {
                segment.AddPart(new PlaylistPart(part++, 0.33333, p == 0));
            }

            if (s < 6)
            {
                segment.Complete();
            }

            _segments.Add(segment);
        }
    }

    [Benchmark]
    public int RenderMediaPlaylist()
    {
        _output.ResetWrittenCount();
        MediaPlaylistWriter.Write(_output, _header, _segments, partsFrom: 4, discontinuitySequence: 0, preloadHintPart: 1021, endList: false);
        return _output.WrittenCount;
    }
}
