namespace Stagecast.WebRtc.Congestion;

/// <summary>What a subscriber connection sends until the next tick: each video track's layer (-1: paused) and the bytes of a probe to send now (0: none).</summary>
public sealed record DownlinkPlan(int[] Layers, int ProbeBytes, long ProbeBps);

/// <summary>
/// Decides, every tick, what one subscriber connection sends, from its <see cref="Estimator"/>: until the path has
/// shown a limit (the estimate was cut) every track gets the layer the subscriber asked for, as before any estimate;
/// once it has (<see cref="Constrained"/>), the <see cref="DownlinkAllocator"/> shares the estimate, and while a track
/// is below what it asked for, a probe (a short burst of padding, sized to what everything asked for with room to
/// spare, at most twice the estimate) tests whether the path carries more, every few seconds. The limit is forgotten
/// once the estimate covers everything asked for with room to spare. Tracks go up one layer at a time, one step per
/// <see cref="StepHold"/>: a probe can be fooled (a token bucket lets a short burst through at once, as if the link
/// were wide), and a step the path cannot carry shows as a queue within <see cref="StepHold"/>, which counts as a
/// failed probe. Probes back off while they fail (no room shown, or a step they allowed did not hold), from 2 s to 8 s.
/// </summary>
public sealed class DownlinkController
{
    /// <summary>How long a share of the probe's rate one probe's burst holds.</summary>
    public static readonly TimeSpan ProbeBurst = TimeSpan.FromMilliseconds(40);

    /// <summary>How long a step up is watched before the next: a cut of the estimate within it means the step did not hold.</summary>
    public static readonly TimeSpan StepHold = TimeSpan.FromSeconds(2);

    private const long FirstBackoffMicros = 2_000_000;
    private const long MaxBackoffMicros = 8_000_000;
    private const long ProbeTimeoutMicros = 2_000_000;
    private const double ProbeAbove = 1.15;
    private const double ProbeGrowth = 2;

    private long _decreasesSeen;
    private long _probesSeen;
    private int _failures; // probes in a row that showed no room, or whose step did not hold
    private long _nextProbeAt;
    private long _probeSentAt = -1;
    private long _probeTarget;
    private long _steppedAt = -1; // the last step up being watched, or -1

    public DownlinkEstimator Estimator { get; } = new();

    /// <summary>The path has shown a limit the estimate is shared within.</summary>
    public bool Constrained { get; private set; }

    /// <summary>The plan until the next tick, at <paramref name="nowMicros"/>, for tracks taking <paramref name="audioBps"/> of audio besides.</summary>
    public DownlinkPlan Plan(long nowMicros, long audioBps, IReadOnlyList<AllocatedTrack> tracks)
    {
        long estimate = Estimator.Estimate;
        long demand = audioBps + tracks.Sum(t => t.LayerBps.Count > 0 ? t.LayerBps[0] : 0);
        if (Estimator.Decreases != _decreasesSeen)
        {
            (_decreasesSeen, Constrained) = (Estimator.Decreases, true);
            if (_steppedAt >= 0)
            {
                (_steppedAt, _failures) = (-1, _failures + 1); // the last step did not hold
                _nextProbeAt = Math.Max(_nextProbeAt, nowMicros + Backoff);
            }
        }
        else if (Constrained && estimate >= demand * DownlinkAllocator.UpHeadroom)
        {
            Constrained = false;
        }

        if (_steppedAt >= 0 && nowMicros - _steppedAt >= StepHold.TotalMicroseconds)
        {
            (_steppedAt, _failures) = (-1, 0); // it held
        }

        int[] layers = Constrained
            ? DownlinkAllocator.Allocate(estimate - audioBps, tracks)
            : [.. tracks.Select(t => t.LayerBps.Count > 0 ? 0 : -1)];
        StepUpOnce(layers, tracks, nowMicros);
        FollowProbe(nowMicros);
        bool belowAsked = tracks.Where((track, i) => track.LayerBps.Count > 0 && layers[i] != 0).Any();
        if (!Constrained || !belowAsked || _probeSentAt >= 0 || nowMicros < _nextProbeAt || Estimator.Usage == PathUsage.Overusing)
        {
            return new DownlinkPlan(layers, 0, 0);
        }

        // At most twice the estimate: a burst sized to everything asked for (11 KB for a 1.5 Mbit/s layer) overfilled a
        // narrow link's queue and the media behind it was dropped. Doubling, as libwebrtc's probes grow, a lifted limit is
        // found in a few probes.
        _probeTarget = (long)Math.Min(demand * DownlinkAllocator.UpHeadroom * ProbeAbove, ProbeGrowth * estimate);
        int bytes = (int)(_probeTarget * ProbeBurst.TotalSeconds / 8);
        return new DownlinkPlan(layers, bytes, _probeTarget);
    }

    /// <summary>The probe the last plan asked for went out between <paramref name="fromMicros"/> and <paramref name="toMicros"/>.</summary>
    public void Probed(long fromMicros, long toMicros)
    {
        _probeSentAt = fromMicros;
        Estimator.Probed(fromMicros, toMicros, _probeTarget);
    }

    private long Backoff => Math.Min(FirstBackoffMicros << Math.Min(_failures, 8), MaxBackoffMicros);

    /// <summary>
    /// Keeps each track within one layer above the one it is sent now (the lowest, when paused), and no step up at all
    /// while the last is still watched; a step taken now is watched from now.
    /// </summary>
    private void StepUpOnce(int[] layers, IReadOnlyList<AllocatedTrack> tracks, long nowMicros)
    {
        bool holding = _steppedAt >= 0;
        bool stepped = false;
        for (int i = 0; i < layers.Length; i++)
        {
            var track = tracks[i];
            int current = track.Current;
            if (layers[i] < 0 || (current >= 0 && layers[i] >= current))
            {
                continue; // paused, down or the same
            }

            int next = current < 0 ? track.LayerBps.Count - 1 : current - 1;
            layers[i] = holding ? current : Math.Max(layers[i], next);
            stepped |= !holding;
        }

        if (stepped)
        {
            _steppedAt = nowMicros;
        }
    }

    /// <summary>A probe's outcome: the next comes at once after one that showed room, later and later after those that did not.</summary>
    private void FollowProbe(long nowMicros)
    {
        if (_probeSentAt < 0)
        {
            return;
        }

        bool answered = Estimator.Probes != _probesSeen;
        if (!answered && nowMicros - _probeSentAt < ProbeTimeoutMicros)
        {
            return;
        }

        _probesSeen = Estimator.Probes;
        bool showedRoom = answered && Estimator.LastProbeBps >= _probeTarget * 0.8;
        _failures = showedRoom ? _failures : _failures + 1; // room shown is not yet room had: a step it allows must hold
        _nextProbeAt = showedRoom ? nowMicros : nowMicros + Backoff; // room shown: the next, twice as large, at once
        _probeSentAt = -1;
    }
}
