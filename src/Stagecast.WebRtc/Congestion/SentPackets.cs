namespace Stagecast.WebRtc.Congestion;

/// <summary>
/// The packets a connection sent with a transport-wide sequence number, by that number: when each went and its size,
/// so the receiver's feedback (<see cref="Rtcp.TransportFeedback"/>) can be matched to them. A ring that keeps at least
/// the last second (<see cref="Keep"/>; feedback comes within a few hundred ms): it starts small and doubles, up to
/// <see cref="Window"/> numbers, only when a packet would overwrite one sent less than that ago, so a subscriber's
/// connection holds what its rate needs (a webinar's hundreds of them, 6 KB each at 600 kbit/s, not 160 KB). Feedback
/// about a number no longer held is ignored. Thread-safe: packets are numbered on the send path, feedback is read on
/// the receive path.
/// </summary>
public sealed class SentPackets
{
    /// <summary>The most sequence numbers remembered (a power of two).</summary>
    public const int Window = 8192;

    /// <summary>How long a packet is kept at least, growing the ring when needed (up to <see cref="Window"/>).</summary>
    public const long Keep = 1_000_000;

    private const int InitialCapacity = 256;

    private readonly Lock _sync = new();
    private Entry[] _entries = new Entry[InitialCapacity];
    private long _next = 1;

    /// <summary>Numbers held now (grows with the rate, up to <see cref="Window"/>).</summary>
    public int Capacity
    {
        get
        {
            lock (_sync)
            {
                return _entries.Length;
            }
        }
    }

    /// <summary>Numbers a packet of <paramref name="size"/> bytes going now (<paramref name="sentMicros"/>); returns its 16-bit number.</summary>
    public ushort Add(long sentMicros, int size)
    {
        lock (_sync)
        {
            long sequence = _next++;
            ref var entry = ref _entries[sequence & (_entries.Length - 1)];
            if (entry.Sequence > 0 && sentMicros - entry.SentMicros < Keep && _entries.Length < Window)
            {
                Grow();
                entry = ref _entries[sequence & (_entries.Length - 1)];
            }

            entry = new Entry(sequence, sentMicros, size);
            return (ushort)sequence;
        }
    }

    /// <summary>
    /// The packets a feedback reports, from <paramref name="baseSequence"/> on (<paramref name="arrivals"/>: µs on the
    /// receiver's clock, null when lost), written into <paramref name="results"/> in the order they were sent; packets
    /// no longer remembered, or never sent, are left out. Returns how many were written.
    /// </summary>
    public int Resolve(ushort baseSequence, ReadOnlySpan<long?> arrivals, Span<PacketResult> results)
    {
        lock (_sync)
        {
            long first = (_next & ~0xFFFFL) | baseSequence;
            if (first >= _next)
            {
                first -= 0x10000;
            }

            int written = 0;
            for (int i = 0; i < arrivals.Length && written < results.Length; i++)
            {
                long sequence = first + i;
                var entry = _entries[sequence & (_entries.Length - 1)];
                if (sequence < 1 || sequence >= _next || entry.Sequence != sequence)
                {
                    continue;
                }

                results[written++] = new PacketResult(entry.SentMicros, entry.Size, arrivals[i] ?? -1);
            }

            return written;
        }
    }

    /// <summary>Twice the numbers, each held one where it belongs in the larger ring (caller holds the lock).</summary>
    private void Grow()
    {
        var larger = new Entry[_entries.Length * 2];
        foreach (var entry in _entries)
        {
            if (entry.Sequence > 0)
            {
                larger[entry.Sequence & (larger.Length - 1)] = entry;
            }
        }

        _entries = larger;
    }

    private readonly record struct Entry(long Sequence, long SentMicros, int Size);
}
