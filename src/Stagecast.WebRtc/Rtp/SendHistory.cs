namespace Stagecast.WebRtc.Rtp;

/// <summary>
/// The last packets sent on one track, by sequence number, for retransmission when a receiver NACKs them (RFC 4585
/// section 6.2.1). Fixed slots of one MTU; a slot holds its sequence number so a packet that has been overwritten is
/// never sent in place of the one asked for.
/// <para>
/// Every viewer and every meeting consumer has one, so its memory is per viewer: it was 512 slots (768 KB) whatever
/// the bitrate, 2.3 MB for a webinar attendee watching three 600 kbit/s cameras (bench/README.md, "Memory per
/// viewer"). It now starts with <see cref="InitialCapacity"/> slots and doubles, up to its capacity, whenever a packet
/// would overwrite one sent less than <see cref="Kept"/> ago: by calculation a 600 kbit/s camera keeps 64 or 128
/// slots. Slots are never given back or shared: a ring of arrays written in place costs nothing per packet, where
/// arrays fitted to each packet and passed back and forth through a pool cost the WHEP fan-out 15-20 % more CPU at
/// 1,000 viewers.
/// </para>
/// </summary>
public sealed class SendHistory
{
    /// <summary>The most packets held: a second and a half of a 2.5 Mbit/s video track.</summary>
    public const int DefaultCapacity = 512;

    /// <summary>The slots to begin with: a second of a 500 kbit/s track.</summary>
    public const int InitialCapacity = 64;

    /// <summary>
    /// How long a packet should be held: a receiver NACKs a loss about a round trip after it, and asks again a round
    /// trip later. libwebrtc's sender keeps a second, or three round trips when they are longer.
    /// </summary>
    public static readonly TimeSpan Kept = TimeSpan.FromSeconds(1);

    private const int SlotSize = 1500;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly Lock _sync = new();
    private Slot[] _slots;

    /// <param name="capacity">The most packets held, a power of two (a sequence number's slot is the number modulo it).</param>
    public SendHistory(TimeProvider time, int capacity = DefaultCapacity)
    {
        if (capacity <= 0 || (capacity & (capacity - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "a power of two");
        }

        _time = time;
        _capacity = capacity;
        _slots = new Slot[Math.Min(InitialCapacity, capacity)];
    }

    /// <summary>Slots now (each of one MTU once used).</summary>
    public int Capacity
    {
        get
        {
            lock (_sync)
            {
                return _slots.Length;
            }
        }
    }

    public void Add(ushort sequence, ReadOnlySpan<byte> packet)
    {
        if (packet.Length > SlotSize)
        {
            return;
        }

        lock (_sync)
        {
            // The clock only matters while the ring may still grow.
            bool mayGrow = _slots.Length < _capacity;
            long now = mayGrow ? _time.GetTimestamp() : 0;
            ref var slot = ref _slots[sequence & (_slots.Length - 1)];
            if (mayGrow && slot.Packet is not null && slot.Sequence != sequence && _time.GetElapsedTime(slot.SentAt, now) < Kept)
            {
                Grow();
                slot = ref _slots[sequence & (_slots.Length - 1)];
            }

            slot.Packet ??= new byte[SlotSize];
            packet.CopyTo(slot.Packet);
            slot.Length = packet.Length;
            slot.Sequence = sequence;
            slot.SentAt = now;
        }
    }

    /// <summary>Copies the packet sent with this sequence number into <paramref name="destination"/>; 0 when it is no longer held.</summary>
    public int CopyTo(ushort sequence, Span<byte> destination)
    {
        lock (_sync)
        {
            var slot = _slots[sequence & (_slots.Length - 1)];
            if (slot.Packet is null || slot.Sequence != sequence || slot.Length > destination.Length)
            {
                return 0;
            }

            slot.Packet.AsSpan(0, slot.Length).CopyTo(destination);
            return slot.Length;
        }
    }

    /// <summary>
    /// Twice the slots, each held packet moved to its slot there (two held packets never share one: they would have in
    /// the smaller ring too). Only a slot that was written has an array.
    /// </summary>
    private void Grow()
    {
        var slots = new Slot[_slots.Length * 2];
        foreach (var slot in _slots)
        {
            if (slot.Packet is not null)
            {
                slots[slot.Sequence & (slots.Length - 1)] = slot;
            }
        }

        _slots = slots;
    }

    /// <summary>A packet sent (<see cref="Packet"/> null until the slot is first written) and when.</summary>
    private struct Slot
    {
        public byte[]? Packet;
        public int Length;
        public ushort Sequence;
        public long SentAt;
    }
}
