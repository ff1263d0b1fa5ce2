using System.Buffers.Binary;

namespace Stagecast.WebRtc.Rtcp;

/// <summary>
/// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01, section 3.1): the
/// receiver tells the sender, for a run of transport-wide sequence numbers, which packets arrived and when, so the
/// sender's estimator (Chrome's GCC) sees the path's delay and loss. RTPFB (205), FMT 15.
/// <code>
///  base sequence number (16) | packet status count (16) | reference time (24, in 64 ms) | feedback count (8)
///  packet chunks, 16 bits each: a run of one status (T=0, status 2 bits, run length 13 bits), or a vector of
///    7 two-bit statuses (T=1, S=1); statuses: 0 not received, 1 received with a small delta, 2 with a large one
///  receive deltas, one per packet received, in 250 µs: small 1 byte (0 to 63.75 ms), large 2 bytes signed
/// </code>
/// The first delta counts from the reference time; each next from the previous packet received.
/// </summary>
public static class TransportFeedback
{
    public const byte Format = 15;

    /// <summary>A delta's unit: 250 µs.</summary>
    public const int DeltaMicros = 250;

    /// <summary>The reference time's unit: 64 ms.</summary>
    public const long ReferenceMicros = 64_000;

    /// <summary>The most packets one feedback covers here (its size stays under an MTU: at most 36 chunks and 2 bytes a packet).</summary>
    public const int MaxPackets = 250;

    private const int NotReceived = 0;
    private const int SmallDelta = 1;
    private const int LargeDelta = 2;
    private const int RunChunkMaximum = 0x1FFF;

    /// <summary>
    /// Writes one feedback for the packets from <paramref name="baseSequence"/> on, whose arrival times are
    /// <paramref name="arrivals"/> (µs on the receiver's clock; negative: not received), at most <see cref="MaxPackets"/>.
    /// The first packet must have arrived. Stops early at a packet whose delta does not fit in 16 bits (the rest go in a
    /// next feedback); returns how many packets it covers, and <paramref name="length"/> the bytes written.
    /// </summary>
    public static int Write(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ushort baseSequence, ReadOnlySpan<long> arrivals, byte feedbackCount,
        out int length)
    {
        if (arrivals.IsEmpty || arrivals[0] < 0)
        {
            throw new ArgumentException("a feedback starts with a packet that arrived", nameof(arrivals));
        }

        long reference = arrivals[0] / ReferenceMicros;
        Span<byte> statuses = stackalloc byte[Math.Min(arrivals.Length, MaxPackets)];
        Span<short> deltas = stackalloc short[statuses.Length];
        int count = 0;
        int received = 0;
        long previous = reference * ReferenceMicros;
        for (; count < statuses.Length; count++)
        {
            if (arrivals[count] < 0)
            {
                statuses[count] = NotReceived;
                continue;
            }

            long ticks = (long)Math.Round((arrivals[count] - previous) / (double)DeltaMicros, MidpointRounding.AwayFromZero);
            if (ticks is < short.MinValue or > short.MaxValue)
            {
                break;
            }

            statuses[count] = ticks is >= 0 and <= 255 ? (byte)SmallDelta : (byte)LargeDelta;
            deltas[received++] = (short)ticks;
            previous += ticks * DeltaMicros; // what the sender will add up, so rounding errors never accumulate
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
        BinaryPrimitives.WriteUInt16BigEndian(destination[12..], baseSequence);
        BinaryPrimitives.WriteUInt16BigEndian(destination[14..], (ushort)count);
        destination[16] = (byte)(reference >> 16);
        destination[17] = (byte)(reference >> 8);
        destination[18] = (byte)reference;
        destination[19] = feedbackCount;
        int offset = 20;
        for (int i = 0; i < count;)
        {
            int run = 1;
            while (i + run < count && statuses[i + run] == statuses[i] && run < RunChunkMaximum)
            {
                run++;
            }

            if (run >= 7 || i + run == count)
            {
                BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)((statuses[i] << 13) | run));
                i += run;
            }
            else
            {
                int vector = 0xC000; // a status vector of two-bit statuses
                for (int slot = 0; slot < 7 && i < count; slot++, i++)
                {
                    vector |= statuses[i] << (12 - (2 * slot));
                }

                BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)vector);
            }

            offset += 2;
        }

        for (int i = 0, d = 0; i < count; i++)
        {
            if (statuses[i] == SmallDelta)
            {
                destination[offset++] = (byte)deltas[d++];
            }
            else if (statuses[i] == LargeDelta)
            {
                BinaryPrimitives.WriteInt16BigEndian(destination[offset..], deltas[d++]);
                offset += 2;
            }
        }

        int padding = (4 - (offset % 4)) % 4;
        if (padding > 0)
        {
            destination.Slice(offset, padding - 1).Clear();
            destination[offset + padding - 1] = (byte)padding;
            offset += padding;
        }

        destination[0] = (byte)(0x80 | (padding > 0 ? 0x20 : 0) | Format);
        destination[1] = RtcpWriter.TransportFeedbackType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((offset / 4) - 1));
        length = offset;
        return count;
    }

    /// <summary>
    /// Reads a feedback's body (after the common header: from the sender's SSRC on, padding included): the base
    /// sequence number, and each packet's arrival time in µs on the receiver's clock (null: not received), into
    /// <paramref name="arrivals"/>; false when it is malformed or holds more packets than the span.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> body, out ushort baseSequence, Span<long?> arrivals, out int count)
    {
        baseSequence = 0;
        count = 0;
        if (body.Length < 16)
        {
            return false;
        }

        baseSequence = BinaryPrimitives.ReadUInt16BigEndian(body[8..]);
        int statusCount = BinaryPrimitives.ReadUInt16BigEndian(body[10..]);
        int reference = (body[12] << 16) | (body[13] << 8) | body[14];
        if ((reference & 0x800000) != 0)
        {
            reference -= 1 << 24; // signed 24 bits
        }

        if (statusCount > arrivals.Length)
        {
            return false;
        }

        Span<byte> statuses = stackalloc byte[statusCount];
        int offset = 16;
        int filled = 0;
        while (filled < statusCount)
        {
            if (offset + 2 > body.Length)
            {
                return false;
            }

            ushort chunk = BinaryPrimitives.ReadUInt16BigEndian(body[offset..]);
            offset += 2;
            if ((chunk & 0x8000) == 0)
            {
                int status = (chunk >> 13) & 3;
                int run = chunk & RunChunkMaximum;
                for (int i = 0; i < run && filled < statusCount; i++)
                {
                    statuses[filled++] = (byte)status;
                }
            }
            else if ((chunk & 0x4000) == 0)
            {
                for (int slot = 0; slot < 14 && filled < statusCount; slot++)
                {
                    statuses[filled++] = (byte)((chunk >> (13 - slot)) & 1);
                }
            }
            else
            {
                for (int slot = 0; slot < 7 && filled < statusCount; slot++)
                {
                    statuses[filled++] = (byte)((chunk >> (12 - (2 * slot))) & 3);
                }
            }
        }

        long time = reference * ReferenceMicros;
        for (int i = 0; i < statusCount; i++)
        {
            switch (statuses[i])
            {
                case SmallDelta when offset < body.Length:
                    time += body[offset++] * DeltaMicros;
                    arrivals[i] = time;
                    break;
                case LargeDelta when offset + 2 <= body.Length:
                    time += BinaryPrimitives.ReadInt16BigEndian(body[offset..]) * DeltaMicros;
                    offset += 2;
                    arrivals[i] = time;
                    break;
                case NotReceived:
                    arrivals[i] = null;
                    break;
                default:
                    return false; // a reserved status, or the deltas cut short
            }
        }

        count = statusCount;
        return true;
    }
}
