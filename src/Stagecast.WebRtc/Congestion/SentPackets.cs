namespace Stagecast.WebRtc.Congestion;

/// <summary>
/// The packets a connection sent with a transport-wide sequence number, by that number: when each went and its size,
/// so the receiver's feedback (<see cref="Rtcp.TransportFeedback"/>) can be matched to them. Memory is fixed: a ring of
/// the last <see cref="Window"/> numbers (several seconds of a subscriber's packets); feedback about older ones is
/// ignored. Thread-safe: packets are numbered on the send path, feedback is read on the receive path.
/// </summary>
public sealed class SentPackets
{
    /// <summary>Sequence numbers remembered (a power of two).</summary>
    public const int Window = 8192;

    private readonly long[] _sent = new long[Window];
    private readonly int[] _sizes = new int[Window];
    private readonly long[] _sequences = new long[Window];
    private readonly Lock _sync = new();
    private long _next = 1;

    public SentPackets()
    {
        Array.Fill(_sequences, -1);
    }

    /// <summary>Numbers a packet of <paramref name="size"/> bytes going now (<paramref name="sentMicros"/>); returns its 16-bit number.</summary>
    public ushort Add(long sentMicros, int size)
    {
        lock (_sync)
        {
            long sequence = _next++;
            int slot = (int)(sequence & (Window - 1));
            _sequences[slot] = sequence;
            _sent[slot] = sentMicros;
            _sizes[slot] = size;
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
                int slot = (int)(sequence & (Window - 1));
                if (sequence < 1 || sequence >= _next || _sequences[slot] != sequence)
                {
                    continue;
                }

                results[written++] = new PacketResult(_sent[slot], _sizes[slot], arrivals[i] ?? -1);
            }

            return written;
        }
    }
}
