using Stagecast.WebRtc.Congestion;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// The downlink estimator against a simulated path (<see cref="SimulatedLink"/>): a sender pacing its packets at the
/// estimate, up to what its source has, and the receiver's feedback every 100 ms, as Chrome sends it.
/// </summary>
public sealed class DownlinkEstimatorTests
{
    [Fact]
    public void ANarrowLinkBringsTheEstimateDownToItsRate()
    {
        var path = new SimulatedPath(capacityBps: 350_000);
        path.Run(TimeSpan.FromSeconds(20), sourceBps: 2_500_000);

        Assert.InRange(path.Estimator.Estimate, 200_000, 450_000);
        Assert.InRange(path.QueueDelayMillis, 0, 300); // the queue drained: the estimate is what the link carries
    }

    [Fact]
    public void TheEstimateClimbsBackOnceTheLimitLifts()
    {
        var path = new SimulatedPath(capacityBps: 350_000);
        path.Run(TimeSpan.FromSeconds(15), sourceBps: 2_500_000);
        Assert.True(path.Estimator.Estimate < 450_000, $"{path.Estimator.Estimate} bit/s on a 350 kbit/s link");

        path.CapacityBps = 10_000_000;
        path.Run(TimeSpan.FromSeconds(20), sourceBps: 2_500_000);

        Assert.True(path.Estimator.Estimate >= 900_000, $"{path.Estimator.Estimate} bit/s 20 s after the limit lifted");
    }

    [Fact]
    public void AWideLinkIsNeverTakenForANarrowOne()
    {
        var path = new SimulatedPath(capacityBps: 50_000_000);
        path.Run(TimeSpan.FromSeconds(20), sourceBps: 1_200_000);

        Assert.True(path.Estimator.Estimate >= 1_200_000, $"{path.Estimator.Estimate} bit/s for a 1.2 Mbit/s source on a wide link");
        Assert.NotEqual(PathUsage.Overusing, path.Estimator.Usage);
    }

    [Fact]
    public void ModestRandomLossWithDelayKeepsTheRate()
    {
        var path = new SimulatedPath(capacityBps: 20_000_000, propagationMillis: 40, loss: 0.05);
        path.Run(TimeSpan.FromSeconds(20), sourceBps: 1_500_000);

        Assert.True(path.Estimator.Estimate >= 1_000_000, $"{path.Estimator.Estimate} bit/s with 5 % loss");
        Assert.InRange(path.Estimator.Loss, 0.02, 0.09);
    }

    [Fact]
    public void HeavyLossBringsTheEstimateDown()
    {
        var path = new SimulatedPath(capacityBps: 20_000_000, loss: 0.3);
        path.Run(TimeSpan.FromSeconds(10), sourceBps: 1_500_000);

        Assert.True(path.Estimator.Estimate < 500_000, $"{path.Estimator.Estimate} bit/s with 30 % loss");
    }

    /// <summary>
    /// A route change that adds 40 ms under a forwarded layer looks like a queue for as long as the step is in the trend's
    /// window: the estimate is cut once, and not below what keeps the layer being sent (the allocator pauses a track only
    /// below <see cref="DownlinkAllocator.PauseBelow"/> of its rate); it grows again once the step has passed.
    /// </summary>
    [Fact]
    public void AStepOfDelayUnderAForwardedLayerCostsOneCutThatKeepsTheLayer()
    {
        const long layer = 1_500_000;
        var path = new SimulatedPath(capacityBps: 20_000_000, propagationMillis: 20) { Paced = false };
        path.Run(TimeSpan.FromSeconds(20), sourceBps: layer);
        long decreases = path.Estimator.Decreases;
        path.PropagationMillis = 60;
        long lowest = long.MaxValue;
        for (int i = 0; i < 100; i++)
        {
            path.Run(TimeSpan.FromMilliseconds(100), sourceBps: layer);
            lowest = Math.Min(lowest, path.Estimator.Estimate);
        }

        Assert.InRange(path.Estimator.Decreases - decreases, 0, 1);
        Assert.True(lowest >= DownlinkAllocator.PauseBelow * layer, $"the estimate fell to {lowest} bit/s under a {layer} bit/s layer");
        Assert.True(path.Estimator.Estimate >= layer, $"{path.Estimator.Estimate} bit/s 10 s after the step");
    }

    /// <summary>
    /// A probe's burst that crossed a wide link at once reports every packet in one unit of the feedback's arrival
    /// times (250 µs): it showed all the room it was sized for (before, no spread counted as no room, and a subscriber
    /// whose limit had lifted stayed on its lowest layer while every probe "failed").
    /// </summary>
    [Fact]
    public void AProbeWhosePacketsAllArriveInOneFeedbackUnitShowsTheRoomItWasSizedFor()
    {
        var estimator = new DownlinkEstimator();
        long before = estimator.Estimate;
        const long target = 2_000_000;
        estimator.Probed(1_000, 1_100, target);
        var packets = new List<PacketResult>();
        for (int i = 0; i < 20; i++)
        {
            packets.Add(new PacketResult(1_000 + (i * 5), 275, 50_000)); // the burst: all arrived within one unit
        }

        packets.Add(new PacketResult(40_000, 1_200, 90_000)); // media sent after it: the probe's feedback is complete
        estimator.OnFeedback(packets.ToArray(), 100_000);
        Assert.Equal((1L, target), (estimator.Probes, estimator.LastProbeBps));
        Assert.True(estimator.Estimate >= 0.9 * target && estimator.Estimate > before, $"{estimator.Estimate} bit/s after the probe, {before} before");
    }

    [Fact]
    public void FeedbackIsMatchedToWhatWasSentAcrossTheSixteenBitWrap()
    {
        var sent = new SentPackets();
        ushort first = 0;
        for (int i = 0; i < 70_000; i++)
        {
            ushort number = sent.Add(i * 1000L, 100 + (i % 7));
            if (i == 69_990)
            {
                first = number;
            }
        }

        Span<long?> arrivals = [5_000, null, 7_000];
        Span<PacketResult> results = stackalloc PacketResult[3];
        Assert.Equal(3, sent.Resolve(first, arrivals, results));
        Assert.Equal(new PacketResult(69_990_000, 100 + (69_990 % 7), 5_000), results[0]);
        Assert.False(results[1].Received);
        Assert.Equal(69_992_000, results[2].SentMicros);

        // Numbers never sent (ahead of the last) and long forgotten are left out.
        Assert.Equal(0, sent.Resolve((ushort)(first + 20), arrivals, results));
        Assert.Equal(0, sent.Resolve((ushort)(first - SentPackets.Window - 10), arrivals, results));
    }

    /// <summary>
    /// The numbers sent are held for a second at least, in a ring that grows with the rate: a 600 kbit/s subscription
    /// keeps a few hundred (6 KB), one at a thousand packets a second grows to hold its last second, and no more.
    /// </summary>
    [Fact]
    public void SentNumbersAreHeldForASecondInARingThatGrowsWithTheRate()
    {
        var slow = new SentPackets();
        for (int i = 0; i < 1_000; i++)
        {
            slow.Add(i * 10_000L, 1_000); // 100 a second for 10 s
        }

        Assert.Equal(256, slow.Capacity);

        var fast = new SentPackets();
        ushort early = 0;
        for (int i = 0; i < 3_000; i++)
        {
            ushort number = fast.Add(i * 1_000L, 1_000); // 1,000 a second for 3 s
            early = i == 2_100 ? number : early;
        }

        Assert.Equal(1_024, fast.Capacity);
        Span<PacketResult> result = stackalloc PacketResult[1];
        Assert.Equal(1, fast.Resolve(early, [5_000], result)); // sent 900 ms before the last: still held
        Assert.Equal(2_100_000, result[0].SentMicros);
    }

    /// <summary>A sender pacing 1,200-byte packets at the estimate (up to its source's rate) over a <see cref="SimulatedLink"/>, told every 100 ms.</summary>
    private sealed class SimulatedPath(long capacityBps, int propagationMillis = 20, double loss = 0)
    {
        private const int PacketSize = 1200;
        private readonly SimulatedLink _link = new(capacityBps, propagationMillis, loss);
        private readonly List<PacketResult> _unreported = [];
        private long _now;
        private long _nextFeedback = 100_000;

        public DownlinkEstimator Estimator { get; } = new();

        public long CapacityBps
        {
            set => _link.CapacityBps = value;
        }

        public double QueueDelayMillis => _link.QueuedMillis(_now);

        public int PropagationMillis
        {
            set => _link.PropagationMillis = value;
        }

        /// <summary>Whether the sender paces at the estimate (a publisher's encoder does) or sends its source's rate whatever it is (an SFU forwarding a layer).</summary>
        public bool Paced { get; init; } = true;

        public void Run(TimeSpan duration, long sourceBps)
        {
            long end = _now + (long)duration.TotalMicroseconds;
            while (_now < end)
            {
                _unreported.Add(new PacketResult(_now, PacketSize, _link.Send(_now, PacketSize)));
                _now += PacketSize * 8 * 1_000_000L / (Paced ? Math.Min(Estimator.Estimate, sourceBps) : sourceBps);
                if (_now >= _nextFeedback)
                {
                    Feedback();
                    _nextFeedback += 100_000;
                }
            }
        }

        /// <summary>The receiver reports what it has seen by now: packets that arrived, and those lost before one that did.</summary>
        private void Feedback()
        {
            int lastArrived = _unreported.FindLastIndex(p => p.Received && p.ArrivedMicros <= _now);
            if (lastArrived >= 0)
            {
                Estimator.OnFeedback(_unreported.GetRange(0, lastArrived + 1).ToArray(), _now);
                _unreported.RemoveRange(0, lastArrived + 1);
            }
        }
    }
}
