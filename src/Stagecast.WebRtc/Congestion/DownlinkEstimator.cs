using Stagecast.WebRtc.Rtcp;

namespace Stagecast.WebRtc.Congestion;

/// <summary>
/// A send-side bandwidth estimate for one subscriber's connection, from the transport-wide feedback its client sends
/// (GCC, draft-ietf-rmcat-gcc-02, as libwebrtc and LiveKit run it): a delay-based rate (<see cref="DelayTrend"/> driving
/// an additive-increase, multiplicative-decrease controller: down to 85 % of what arrived when a queue builds, up by
/// 8 % a second while the path holds, by about a packet per round trip once near the rate it last fell from, never far
/// above what the receiver acknowledged) bounded by a loss-based one (cut by half the loss above 10 %, grown again
/// under 2 %). <see cref="Estimate"/> is the lower of the two. Not thread-safe: its connection serialises the feedback.
/// </summary>
public sealed class DownlinkEstimator
{
    public const long MinimumBps = 50_000;
    public const long MaximumBps = 20_000_000;

    /// <summary>Packets of a probe that must arrive for it to tell a rate (fewer say nothing: a sender sends at least these).</summary>
    public const int MinimumProbePackets = 5;

    /// <summary>What it assumes before any feedback: enough for a small video layer and audio, as Chrome starts at 300 kbit/s.</summary>
    public const long InitialBps = 600_000;

    private const long RateWindowMicros = 1_000_000;
    private const long DecreaseIntervalMicros = 200_000;
    private const long LossIntervalMicros = 500_000;

    private readonly DelayTrend _trend = new();
    private readonly Queue<(long Arrived, int Size)> _arrived = new();
    private long _arrivedBytes;
    private double _delayBased = InitialBps;
    private double _lossBased = MaximumBps;
    private double _capacity = -1; // what arrived when a queue last built: the path's rate, as far as known
    private long _lastUpdate = -1;
    private long _lastDecrease = -DecreaseIntervalMicros;
    private long _lossWindowStart = -1;
    private int _lossWindowSent;
    private int _lossWindowLost;
    private ProbeWindow? _probe;
    private long _probeTarget;

    /// <summary>What the connection may carry now, in bit/s.</summary>
    public long Estimate => (long)Math.Clamp(Math.Min(_delayBased, _lossBased), MinimumBps, MaximumBps);

    /// <summary>What the receiver acknowledged over the last second, in bit/s (0 before any).</summary>
    public long AckedBps { get; private set; }

    /// <summary>The share of packets lost over the last loss window (0 to 1).</summary>
    public double Loss { get; private set; }

    public PathUsage Usage => _trend.Usage;

    /// <summary>How many times the estimate was cut (a queue built, or loss grew): the path set a limit.</summary>
    public long Decreases { get; private set; }

    /// <summary>The rate the last probe measured (bit/s), or 0.</summary>
    public long LastProbeBps { get; private set; }

    /// <summary>
    /// Packets sent from <paramref name="fromMicros"/> to <paramref name="toMicros"/> were a probe (a burst of padding
    /// beside the media): once the feedback covers them, the rate they arrived at (their spread at the receiver) is
    /// what the path carries at least, and the estimate rises to it.
    /// </summary>
    public void Probed(long fromMicros, long toMicros, long targetBps) => (_probe, _probeTarget) = (new ProbeWindow(fromMicros, toMicros), targetBps);

    /// <summary>Probes whose feedback came so far.</summary>
    public long Probes { get; private set; }

    /// <summary>Takes one feedback's packets (in the order they were sent) at <paramref name="nowMicros"/> on our clock.</summary>
    public void OnFeedback(ReadOnlySpan<PacketResult> packets, long nowMicros)
    {
        if (packets.IsEmpty)
        {
            return;
        }

        foreach (var packet in packets)
        {
            _trend.Add(packet);
            if (packet.Received)
            {
                Count(packet);
            }

            _probe?.Add(packet);
        }

        CountLoss(packets, nowMicros);
        Control(nowMicros);
        if (_probe is { Complete: true } probe)
        {
            _probe = null;
            Probes++;
            LastProbeBps = Math.Min(probe.Rate(), _probeTarget); // a burst: never taken for more than it was meant to show
            if (LastProbeBps > 0 && _trend.Usage != PathUsage.Overusing)
            {
                _delayBased = Math.Clamp(Math.Max(_delayBased, 0.9 * LastProbeBps), MinimumBps, MaximumBps);
                _lossBased = Math.Max(_lossBased, _delayBased);
            }
        }
    }

    /// <summary>The packets of a probe as the feedback reports them; complete once a packet sent after it is reported.</summary>
    private sealed class ProbeWindow(long fromMicros, long toMicros)
    {
        private long _bytes;
        private int _received;
        private int _lost;
        private long _firstArrived = long.MaxValue;
        private long _lastArrived = long.MinValue;
        private int _firstSize;

        public bool Complete { get; private set; }

        public void Add(PacketResult packet)
        {
            if (packet.SentMicros > toMicros)
            {
                Complete = true;
                return;
            }

            if (packet.SentMicros < fromMicros)
            {
                return;
            }

            if (!packet.Received)
            {
                _lost++;
                return;
            }

            _received++;
            _bytes += packet.Size;
            if (packet.ArrivedMicros < _firstArrived)
            {
                (_firstArrived, _firstSize) = (packet.ArrivedMicros, packet.Size);
            }

            _lastArrived = Math.Max(_lastArrived, packet.ArrivedMicros);
        }

        /// <summary>
        /// The rate the probe arrived at (the first packet's bytes left out: the spread counts from its arrival); 0 when
        /// too few came, or too many were lost. A burst whose packets all arrived within one unit of the feedback's
        /// arrival times (<see cref="TransportFeedback.DeltaMicros"/>) went through as fast as they can tell: its spread
        /// is taken as that unit, not as nothing (on a wide link most bursts arrive so, and were taken for no room).
        /// </summary>
        public long Rate()
        {
            long spread = Math.Max(_lastArrived - _firstArrived, TransportFeedback.DeltaMicros);
            return _received < MinimumProbePackets || _lost * 10 > _received + _lost ? 0 : (_bytes - _firstSize) * 8 * 1_000_000 / spread;
        }
    }

    private void Count(PacketResult packet)
    {
        _arrived.Enqueue((packet.ArrivedMicros, packet.Size));
        _arrivedBytes += packet.Size;
        while (_arrived.Count > 0 && _arrived.Peek().Arrived < packet.ArrivedMicros - RateWindowMicros)
        {
            _arrivedBytes -= _arrived.Dequeue().Size;
        }

        long span = Math.Max(packet.ArrivedMicros - _arrived.Peek().Arrived, 100_000);
        AckedBps = _arrivedBytes * 8 * 1_000_000 / Math.Min(span, RateWindowMicros);
    }

    private void Control(long nowMicros)
    {
        double before = _delayBased;
        double elapsed = _lastUpdate < 0 ? 0 : Math.Min((nowMicros - _lastUpdate) / 1e6, 1);
        _lastUpdate = nowMicros;
        switch (_trend.Usage)
        {
            case PathUsage.Overusing when nowMicros - _lastDecrease >= DecreaseIntervalMicros && AckedBps > 0:
                _capacity = AckedBps;
                _delayBased = Math.Min(_delayBased, 0.85 * AckedBps);
                _lastDecrease = nowMicros;
                Decreases++;
                break;
            case PathUsage.Normal:
                if (_capacity > 0 && AckedBps > 1.2 * _capacity)
                {
                    _capacity = -1; // the path carries more now: back to growing by a share
                }

                bool nearCapacity = _capacity > 0 && _delayBased > 0.9 * _capacity;
                _delayBased = nearCapacity
                    ? _delayBased + (elapsed * 1200 * 8 / 0.2) // about a packet per 200 ms round trip
                    : _delayBased * Math.Pow(1.08, elapsed);
                break;
        }

        // Never grown far above what the receiver acknowledged: growth beyond it is untested (a probe tests it).
        if (AckedBps > 0 && _delayBased > before)
        {
            _delayBased = Math.Max(before, Math.Min(_delayBased, (1.5 * AckedBps) + 10_000));
        }

        _delayBased = Math.Clamp(_delayBased, MinimumBps, MaximumBps);
    }

    private void CountLoss(ReadOnlySpan<PacketResult> packets, long nowMicros)
    {
        if (_lossWindowStart < 0)
        {
            _lossWindowStart = nowMicros;
        }

        foreach (var packet in packets)
        {
            _lossWindowSent++;
            _lossWindowLost += packet.Received ? 0 : 1;
        }

        if (nowMicros - _lossWindowStart < LossIntervalMicros || _lossWindowSent < 20)
        {
            return;
        }

        Loss = (double)_lossWindowLost / _lossWindowSent;
        double current = Math.Min(_lossBased, _delayBased);
        if (Loss > 0.1)
        {
            _lossBased = current * (1 - (0.5 * Loss));
            Decreases++;
        }
        else if (Loss < 0.02)
        {
            _lossBased = _lossBased >= MaximumBps ? MaximumBps : Math.Min(MaximumBps, Math.Max(_lossBased, current) * 1.08);
        }

        (_lossWindowStart, _lossWindowSent, _lossWindowLost) = (nowMicros, 0, 0);
    }
}
