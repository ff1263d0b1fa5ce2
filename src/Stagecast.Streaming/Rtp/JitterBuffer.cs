using Stagecast.Media.Rtp;

namespace Stagecast.Streaming.Rtp;

/// <summary>
/// Puts one SSRC's RTP packets back in sequence order. A packet that arrives in order goes straight through; after a
/// gap, later packets wait (for the missing ones to come, or to be retransmitted after a NACK) until the gap is older
/// than the wait limit or the buffer is half full, and then delivery skips it and reports a discontinuity.
/// Memory is fixed: <c>capacity</c> slots of one MTU each.
/// </summary>
public sealed class JitterBuffer
{
    private const int SlotSize = 1500;
    private readonly byte[][] _slots;
    private readonly int[] _lengths;
    private readonly long[] _sequences;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxWait;
    private long _next = -1;
    private long _highest = -1;
    private int _count;
    private long _gapSince;
    private bool _gapOpen;
    private bool _jumped;

    public JitterBuffer(int capacity, TimeSpan maxWait, TimeProvider time)
    {
        _slots = new byte[capacity][];
        _lengths = new int[capacity];
        _sequences = new long[capacity];
        Array.Fill(_sequences, -1);
        _maxWait = maxWait;
        _time = time;
    }

    public delegate void PacketHandler(ReadOnlySpan<byte> packet, bool discontinuity);

    /// <summary>Packets skipped as lost so far.</summary>
    public long Lost { get; private set; }

    /// <summary>Stores a packet; false when it is a duplicate, too late, or too large.</summary>
    public bool Push(ReadOnlySpan<byte> packet)
    {
        if (packet.Length > SlotSize)
        {
            return false;
        }

        long sequence = SequenceUnwrapper.Unwrap(_highest, RtpHeader.SequenceNumber(packet));
        if (_next < 0)
        {
            _next = sequence;
        }

        if (sequence < _next)
        {
            return false; // already delivered or skipped
        }

        if (sequence - _next >= _slots.Length)
        {
            // Far ahead (a long outage or a sender restart): what is buffered is given up, and the next packet delivered
            // says so (a decoder must not take what follows for what it had).
            Lost += sequence - _next;
            Clear();
            _next = sequence;
            _jumped = true;
        }

        int slot = (int)(sequence % _slots.Length);
        if (_sequences[slot] == sequence)
        {
            return false;
        }

        _slots[slot] ??= new byte[SlotSize];
        packet.CopyTo(_slots[slot]);
        _lengths[slot] = packet.Length;
        _sequences[slot] = sequence;
        _count++;
        _highest = Math.Max(_highest, sequence);
        return true;
    }

    /// <summary>Hands every packet that can go now, in order, to <paramref name="handler"/>.</summary>
    public void Drain(PacketHandler handler)
    {
        bool discontinuity = _jumped;
        while (_count > 0)
        {
            int slot = (int)(_next % _slots.Length);
            if (_sequences[slot] == _next)
            {
                _sequences[slot] = -1;
                _count--;
                _next++;
                _gapOpen = false;
                _jumped = false;
                handler(_slots[slot].AsSpan(0, _lengths[slot]), discontinuity);
                discontinuity = false;
                continue;
            }

            long now = _time.GetTimestamp();
            if (!_gapOpen)
            {
                _gapOpen = true;
                _gapSince = now;
            }

            if (_time.GetElapsedTime(_gapSince, now) < _maxWait && _highest - _next < _slots.Length / 2)
            {
                return; // wait for the missing packet a little longer
            }

            while (_sequences[(int)(_next % _slots.Length)] != _next)
            {
                _next++;
                Lost++;
            }

            _gapOpen = false;
            discontinuity = true;
        }
    }

    /// <summary>Sequence numbers missing between what was delivered and the newest packet (for NACK), at most the span's length.</summary>
    public int Missing(Span<ushort> destination)
    {
        int count = 0;
        for (long sequence = _next; sequence < _highest && count < destination.Length; sequence++)
        {
            if (_sequences[(int)(sequence % _slots.Length)] != sequence)
            {
                destination[count++] = (ushort)sequence;
            }
        }

        return count;
    }

    /// <summary>Forgets everything: the next packet starts a new sequence (its sender restarted).</summary>
    public void Reset()
    {
        Clear();
        _next = -1;
        _highest = -1;
        _jumped = false;
    }

    private void Clear()
    {
        Array.Fill(_sequences, -1);
        _count = 0;
        _gapOpen = false;
    }
}
