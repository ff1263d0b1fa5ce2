namespace Stagecast.WebRtc.Rtcp;

/// <summary>
/// What a forwarded track lost on its way in, without holding its packets back: the sequence numbers that were
/// skipped, asked for again (generic NACK) while they are young enough to help (<see cref="MaxAge"/>) and at most
/// <see cref="MaxTries"/> times, and the counts a receiver report gives (RFC 3550 section 6.4.1: expected, received,
/// cumulative lost). A jump of more than <see cref="MaxGap"/> is a restart, not a loss.
/// </summary>
public sealed class LossTracker(TimeProvider time)
{
    /// <summary>Older gaps would arrive too late to be forwarded usefully (a subscriber's jitter buffer has moved on).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    /// <summary>A request is repeated after this long without the packet (about a round trip).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(100);

    public const int MaxTries = 3;

    /// <summary>At most this many gaps are remembered; a flood of loss forgets the oldest.</summary>
    public const int MaxMissing = 512;

    public const int MaxGap = 3000;

    private readonly Dictionary<long, Gap> _missing = [];
    private bool _started;
    private long _first;
    private long _highest;
    private long _expectedPrior;
    private long _receivedPrior;

    public long Received { get; private set; }

    /// <summary>Packets expected from the first sequence number to the highest.</summary>
    public long Expected => _started ? _highest - _first + 1 : 0;

    /// <summary>Cumulative packets lost: expected but never received (retransmissions that arrived count as received).</summary>
    public long Lost => Math.Max(0, Expected - Received);

    /// <summary>Sequence numbers asked for again so far.</summary>
    public long Requested { get; private set; }

    /// <summary>Counts a packet; a packet that fills a gap (a retransmission, or reordering) closes it.</summary>
    public void Add(ushort sequence)
    {
        if (!_started)
        {
            _started = true;
            _first = _highest = sequence;
            Received = 1;
            return;
        }

        long unwrapped = Unwrap(sequence);
        long ahead = unwrapped - _highest;
        if (ahead > MaxGap || ahead < -MaxGap)
        {
            // The sender restarted its numbering: count from here, as a new source.
            _missing.Clear();
            long expected = Expected;
            _first = unwrapped - expected;
            _highest = unwrapped;
            Received++;
            return;
        }

        if (ahead > 0)
        {
            long now = time.GetTimestamp();
            for (long gap = _highest + 1; gap < unwrapped; gap++)
            {
                if (_missing.Count >= MaxMissing)
                {
                    _missing.Remove(_missing.Keys.Min());
                }

                _missing[gap] = new Gap(now, long.MinValue, 0);
            }

            _highest = unwrapped;
            Received++;
        }
        else if (_missing.Remove(unwrapped))
        {
            Received++;
        }
    }

    /// <summary>Writes the sequence numbers to ask for now into <paramref name="destination"/>; returns how many.</summary>
    public int Due(Span<ushort> destination)
    {
        long now = time.GetTimestamp();
        int count = 0;
        List<long>? expired = null;
        foreach (var (sequence, gap) in _missing)
        {
            if (time.GetElapsedTime(gap.Since, now) > MaxAge || gap.Tries >= MaxTries)
            {
                (expired ??= []).Add(sequence);
            }
            else if (count < destination.Length && (gap.Tries == 0 || time.GetElapsedTime(gap.LastAsked, now) >= RetryAfter))
            {
                destination[count++] = (ushort)sequence;
            }
        }

        foreach (long sequence in expired ?? [])
        {
            _missing.Remove(sequence);
        }

        foreach (ushort sequence in destination[..count])
        {
            long key = Unwrap(sequence);
            var gap = _missing[key];
            _missing[key] = gap with { LastAsked = now, Tries = gap.Tries + 1 };
        }

        Requested += count;
        return count;
    }

    /// <summary>
    /// A report block for this track (RFC 3550 appendix A.3): the fraction lost since the previous report, cumulative
    /// loss, the extended highest sequence number; the caller adds the round-trip fields of the source's last SR.
    /// </summary>
    public ReceptionReport Report(uint ssrc, uint lastSenderReport, uint delay)
    {
        long expectedInterval = Expected - _expectedPrior;
        long receivedInterval = Received - _receivedPrior;
        _expectedPrior = Expected;
        _receivedPrior = Received;
        long lostInterval = expectedInterval - receivedInterval;
        byte fraction = expectedInterval <= 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
        return new ReceptionReport(ssrc, fraction, (int)Math.Min(Lost, 0x7FFFFF), (uint)_highest, 0, lastSenderReport, delay);
    }

    private long Unwrap(ushort sequence)
    {
        long candidate = (_highest & ~0xFFFFL) | sequence;
        if (candidate - _highest > 0x8000)
        {
            candidate -= 0x10000;
        }
        else if (_highest - candidate > 0x8000)
        {
            candidate += 0x10000;
        }

        return candidate;
    }

    private readonly record struct Gap(long Since, long LastAsked, int Tries);
}
