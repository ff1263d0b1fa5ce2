using Stagecast.WebRtc.Congestion;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// The allocator on its own, and the controller against a simulated path: a subscriber receiving audio and one
/// simulcast video track (layers of 1.5 Mbit/s, 500 and 150 kbit/s) through a bottleneck, ticked every 250 ms as its
/// connection ticks it, sending the layer it is given and the probes it asks for.
/// </summary>
public sealed class DownlinkControllerTests
{
    private static readonly long[] Layers = [1_500_000, 500_000, 150_000];

    [Fact]
    public void TracksGetTheHighestLayerThatFitsByPriorityAndWhatCannotFitPauses()
    {
        AllocatedTrack Camera(int current = 0) => new(0, Layers, current);
        var screen = new AllocatedTrack(1, [1_200_000, 300_000], 0);

        // The screen share first, then the cameras in turn; the last one gets nothing and pauses.
        Assert.Equal([1, 0, -1], DownlinkAllocator.Allocate(1_800_000, [Camera(), screen, Camera()]));
        Assert.Equal([2, 0, 2], DownlinkAllocator.Allocate(1_500_000, [Camera(), screen, Camera()]));
        Assert.Equal([-1, 1], DownlinkAllocator.Allocate(400_000, [Camera(), screen]));
    }

    [Fact]
    public void ATrackKeepsALayerThatStillFitsAndStepsUpOnlyWithRoomToSpare()
    {
        // On the middle layer with 550 kbit/s: it stays; 600 kbit/s is not room enough for the top.
        Assert.Equal([1], DownlinkAllocator.Allocate(550_000, [new AllocatedTrack(0, Layers, 1)]));
        Assert.Equal([1], DownlinkAllocator.Allocate(1_600_000, [new AllocatedTrack(0, Layers, 1)]));
        Assert.Equal([0], DownlinkAllocator.Allocate(1_900_000, [new AllocatedTrack(0, Layers, 1)]));

        // Paused, it comes back only with room to spare for its lowest layer.
        Assert.Equal([-1], DownlinkAllocator.Allocate(160_000, [new AllocatedTrack(0, Layers, -1)]));
        Assert.Equal([2], DownlinkAllocator.Allocate(160_000, [new AllocatedTrack(0, Layers, 2)]));
    }

    [Fact]
    public void ATrackBeingSentKeepsItsLowestLayerThroughACutAndPausesOnlyWellBelowIt()
    {
        // One layer of 800 kbit/s that filled the link: a cut leaves 85 % of what arrived, and it is still sent; at 60 %
        // it pauses; paused, it needs room to spare to come back.
        long[] only = [800_000];
        Assert.Equal([0], DownlinkAllocator.Allocate(680_000, [new AllocatedTrack(0, only, 0)]));
        Assert.Equal([-1], DownlinkAllocator.Allocate(480_000, [new AllocatedTrack(0, only, 0)]));
        Assert.Equal([-1], DownlinkAllocator.Allocate(680_000, [new AllocatedTrack(0, only, -1)]));

        // A simulcast track on its middle layer steps down to its lowest with a little less than that left.
        Assert.Equal([2], DownlinkAllocator.Allocate(120_000, [new AllocatedTrack(0, Layers, 1)]));
    }

    [Fact]
    public void ANarrowSubscriberIsSentTheLayerItsLinkCarriesAndTheQueueStaysShort()
    {
        var subscriber = new Subscriber(new SimulatedLink(350_000));
        subscriber.Run(TimeSpan.FromSeconds(10));
        var last = subscriber.Run(TimeSpan.FromSeconds(20));

        Assert.True(subscriber.Controller.Constrained);
        Assert.True(last.TicksOn(2) >= last.Ticks * 0.9, $"on the 150 kbit/s layer {last.TicksOn(2)} ticks of {last.Ticks}");
        Assert.True(last.QueuedOver(300) <= last.Ticks * 0.1, $"{last.QueuedOver(300)} ticks of {last.Ticks} with over 300 ms queued");
        Assert.True(subscriber.Controller.Estimator.Probes >= 2, "probes kept testing the path");
    }

    [Fact]
    public void ABurstBucketOnANarrowLinkDoesNotPassForRoomToSpare()
    {
        // tc's tbf and many routers let a few saved-up kilobytes through at once while their queue is empty: a probe
        // that fits in them arrives as fast as it went, as if the link were wide. Stepping up on it alone sent the top
        // layer into a 350 kbit/s link every few seconds, and the picture froze each time.
        var subscriber = new Subscriber(new SimulatedLink(350_000, burstBytes: 16_384));
        subscriber.Run(TimeSpan.FromSeconds(10));
        var last = subscriber.Run(TimeSpan.FromSeconds(30));

        Assert.True(last.TicksOn(0) == 0, $"on the top layer {last.TicksOn(0)} ticks of {last.Ticks}, on the middle {last.TicksOn(1)}");
        Assert.True(last.QueuedOver(300) <= last.Ticks * 0.05, $"{last.QueuedOver(300)} ticks of {last.Ticks} with over 300 ms queued");
        Assert.True(last.TicksOn(2) >= last.Ticks * 0.8, $"on the 150 kbit/s layer {last.TicksOn(2)} ticks of {last.Ticks}, on the middle {last.TicksOn(1)}");
    }

    [Fact]
    public void BehindABurstBucketTheTopLayerStillComesBackSoonAfterTheLimitLifts()
    {
        var link = new SimulatedLink(350_000, burstBytes: 16_384);
        var subscriber = new Subscriber(link);
        subscriber.Run(TimeSpan.FromSeconds(20));
        link.CapacityBps = 10_000_000;
        var back = subscriber.Run(TimeSpan.FromSeconds(20));

        Assert.True(back.FirstTickOn(0) is >= 0 and < 60, $"back on the top layer after {back.FirstTickOn(0)} ticks of 250 ms");
        Assert.Equal(back.Ticks - back.FirstTickOn(0), back.TicksOn(0));
    }

    [Fact]
    public void TheTopLayerComesBackSoonAfterTheLimitLifts()
    {
        var link = new SimulatedLink(350_000);
        var subscriber = new Subscriber(link);
        subscriber.Run(TimeSpan.FromSeconds(20));
        Assert.NotEqual(0, subscriber.Layer);

        // Within 15 s it is back on the top layer, a layer at a time, and stays there.
        link.CapacityBps = 10_000_000;
        var back = subscriber.Run(TimeSpan.FromSeconds(20));

        Assert.True(back.FirstTickOn(0) is >= 0 and < 60, $"back on the top layer after {back.FirstTickOn(0)} ticks of 250 ms");
        Assert.Equal(back.Ticks - back.FirstTickOn(0), back.TicksOn(0));
        Assert.False(subscriber.Controller.Constrained);
    }

    [Fact]
    public void AVideoPausedOnAVeryNarrowLinkComesBackToTheTopLayerSoonAfterTheLimitLifts()
    {
        // 100 kbit/s leaves too little beside the audio for the lowest layer: the video pauses. The estimate is then near
        // its floor, and probes (twice the estimate at most) must still be probes, and grow.
        var link = new SimulatedLink(100_000);
        var subscriber = new Subscriber(link);
        subscriber.Run(TimeSpan.FromSeconds(20));
        Assert.Equal(-1, subscriber.Layer);

        link.CapacityBps = 10_000_000;
        var back = subscriber.Run(TimeSpan.FromSeconds(20));

        Assert.True(back.FirstTickOn(0) is >= 0 and < 60, $"back on the top layer after {back.FirstTickOn(0)} ticks of 250 ms");
        Assert.Equal(back.Ticks - back.FirstTickOn(0), back.TicksOn(0));
    }

    [Fact]
    public void OnAWideLinkTheLayerAskedForIsSentAndNothingIsProbed()
    {
        var subscriber = new Subscriber(new SimulatedLink(50_000_000));
        var run = subscriber.Run(TimeSpan.FromSeconds(20));

        Assert.Equal(run.Ticks, run.TicksOn(0));
        Assert.Equal(0, subscriber.Controller.Estimator.Probes);
        Assert.False(subscriber.Controller.Constrained);
    }

    [Fact]
    public void ProbesOnANarrowLinkNeverOverfillItsQueueSoNoMediaIsLostBehindThem()
    {
        // tc's tbf as the shaped-link browser tests set it: 350 kbit/s, a 2 KB bucket, 200 ms of queue (8.75 KB). A probe
        // sized to everything asked for (the top layer: 11 KB in 40 ms) overfilled it every few seconds, and the media
        // behind it was dropped: a subscriber of the lowest layer froze though it fitted.
        var subscriber = new Subscriber(new SimulatedLink(350_000, queueMillis: 200, burstBytes: 2_048));
        subscriber.Run(TimeSpan.FromSeconds(10));
        var last = subscriber.Run(TimeSpan.FromSeconds(30));

        Assert.True(subscriber.Controller.Estimator.Probes >= 2, "probes kept testing the path");
        Assert.True(last.TicksOn(2) >= last.Ticks * 0.9, $"on the 150 kbit/s layer {last.TicksOn(2)} ticks of {last.Ticks}");
        Assert.True(last.MediaLost == 0, $"{last.MediaLost} media packets of {last.MediaSent} lost");
    }

    [Fact]
    public void FivePercentRandomLossWithDelayKeepsTheTopLayer()
    {
        var subscriber = new Subscriber(new SimulatedLink(20_000_000, propagationMillis: 40, loss: 0.05));
        subscriber.Run(TimeSpan.FromSeconds(5));
        var last = subscriber.Run(TimeSpan.FromSeconds(15));

        Assert.True(last.TicksOn(0) >= last.Ticks * 0.9, $"on the top layer {last.TicksOn(0)} ticks of {last.Ticks}");
    }

    /// <summary>A subscriber's connection as the session runs it: a tick every 250 ms, feedback every 100 ms, 1,200-byte media packets, 280-byte padding.</summary>
    private sealed class Subscriber(SimulatedLink link)
    {
        private const long AudioBps = 40_000;
        private readonly List<PacketResult> _unreported = [];
        private long _now;
        private long _nextTick;
        private long _nextFeedback = 100_000;

        public DownlinkController Controller { get; } = new();

        public int Layer { get; private set; }

        public TickLog Run(TimeSpan duration)
        {
            var ticks = new TickLog();
            long end = _now + (long)duration.TotalMicroseconds;
            while (_now < end)
            {
                if (_now >= _nextTick)
                {
                    Tick();
                    ticks.Add(Layer, link.QueuedMillis(_now));
                }

                long rate = AudioBps + (Layer >= 0 ? Layers[Layer] : 0);
                long arrived = link.Send(_now, 1200);
                ticks.Sent(arrived >= 0);
                _unreported.Add(new PacketResult(_now, 1200, arrived));
                _now += 1200 * 8 * 1_000_000L / rate;
                if (_now >= _nextFeedback)
                {
                    Feedback();
                    _nextFeedback += 100_000;
                }
            }

            return ticks;
        }

        private void Tick()
        {
            var plan = Controller.Plan(_now, AudioBps, [new AllocatedTrack(0, Layers, Layer)]);
            Layer = plan.Layers[0];
            if (plan.ProbeBytes > 0)
            {
                int packets = Math.Max(DownlinkEstimator.MinimumProbePackets, plan.ProbeBytes / 280);
                for (int i = 0; i < packets; i++)
                {
                    _unreported.Add(new PacketResult(_now + i, 280, link.Send(_now + i, 280)));
                }

                Controller.Probed(_now, _now + packets);
            }

            _nextTick += 250_000;
        }

        private void Feedback()
        {
            int last = _unreported.FindLastIndex(p => p.Received && p.ArrivedMicros <= _now);
            if (last >= 0)
            {
                Controller.Estimator.OnFeedback(_unreported.GetRange(0, last + 1).ToArray(), _now);
                _unreported.RemoveRange(0, last + 1);
            }
        }
    }

    private sealed class TickLog
    {
        private readonly List<(int Layer, double Queued)> _ticks = [];

        public int Ticks => _ticks.Count;

        /// <summary>Media packets sent, and of those lost (the link's queue full, or its random loss).</summary>
        public int MediaSent { get; private set; }

        public int MediaLost { get; private set; }

        public void Sent(bool arrived) => (MediaSent, MediaLost) = (MediaSent + 1, MediaLost + (arrived ? 0 : 1));

        public void Add(int layer, double queuedMillis) => _ticks.Add((layer, queuedMillis));

        public int TicksOn(int layer) => _ticks.Count(t => t.Layer == layer);

        /// <summary>The first tick on <paramref name="layer"/>, or -1.</summary>
        public int FirstTickOn(int layer) => _ticks.FindIndex(t => t.Layer == layer);

        public int QueuedOver(double millis) => _ticks.Count(t => t.Queued > millis);
    }
}
