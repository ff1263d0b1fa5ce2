using BenchmarkDotNet.Attributes;
using Stagecast.WebRtc.Congestion;
using Stagecast.WebRtc.Rtcp;

namespace Stagecast.Bench.Micro;

/// <summary>
/// What congestion control costs one subscriber's connection for one second of media, as <c>SfuReceiveSession</c> runs
/// it: 200 packets numbered as they go (a 1.5 Mbit/s camera and its audio), ten transport-wide feedbacks of 20 packets
/// read, matched to what was sent and given to the estimator, and four allocation ticks sharing the estimate between two
/// video tracks of three layers. Writing the feedbacks (the client's part) is counted too, so the figure is an upper
/// bound; times 100 it is the CPU 100 subscribers take.
/// </summary>
[MemoryDiagnoser]
public class CongestionBenchmarks
{
    private const int PacketsPerFeedback = 20;
    private const int Feedbacks = 10;
    private const int MaxFeedbackPackets = 1024; // as the session reads them
    private static readonly long[] Layers = [1_500_000, 500_000, 150_000];

    private readonly byte[] _feedback = new byte[1200];
    private readonly long[] _arrivals = new long[PacketsPerFeedback];
    private readonly long?[] _read = new long?[MaxFeedbackPackets];
    private readonly PacketResult[] _resolved = new PacketResult[MaxFeedbackPackets];
    private readonly AllocatedTrack[] _tracks = [new(1, Layers, 0), new(0, Layers, 0)];
    private SentPackets _sent = null!;
    private DownlinkController _downlink = null!;
    private long _now;

    [GlobalSetup]
    public void SetUp()
    {
        _sent = new SentPackets();
        _downlink = new DownlinkController();
        _now = 1_000_000;
    }

    /// <summary>One subscriber-second: returns the layer the first track is given, so nothing is optimised away.</summary>
    [Benchmark]
    public int OneSubscriberSecond()
    {
        int layer = 0;
        for (int feedback = 0; feedback < Feedbacks; feedback++)
        {
            ushort first = 0;
            for (int i = 0; i < PacketsPerFeedback; i++)
            {
                long sent = _now + (i * 5_000);
                ushort sequence = _sent.Add(sent, i % 4 == 0 ? 160 : 1200);
                first = i == 0 ? sequence : first;
                _arrivals[i] = sent + 20_000 + ((i * 37) % 900); // 20 ms on, a little jitter
            }

            TransportFeedback.Write(_feedback, 1, 2, first, _arrivals, (byte)feedback, out int length);
            _now += 100_000;
            var reader = new RtcpReader(_feedback.AsSpan(0, length));
            if (reader.TryRead(out var rtcp) && TransportFeedback.TryRead(rtcp.Body, out ushort baseSequence, _read, out int count))
            {
                int resolved = _sent.Resolve(baseSequence, _read.AsSpan(0, count), _resolved);
                _downlink.Estimator.OnFeedback(_resolved.AsSpan(0, resolved), _now);
            }

            if (feedback % 3 == 2)
            {
                layer = _downlink.Plan(_now, 40_000, _tracks).Layers[0];
            }
        }

        return layer + _downlink.Plan(_now, 40_000, _tracks).Layers[0];
    }
}
