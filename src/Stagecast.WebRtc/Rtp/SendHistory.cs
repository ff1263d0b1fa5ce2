namespace Stagecast.WebRtc.Rtp;

/// <summary>
/// The last packets sent on one track, by sequence number, for retransmission when a receiver NACKs them (RFC 4585
/// section 6.2.1). Fixed memory: <c>capacity</c> slots of one MTU; a slot holds its sequence number so a packet that
/// has been overwritten is never sent in place of the one asked for.
/// </summary>
public sealed class SendHistory(int capacity = SendHistory.DefaultCapacity)
{
    /// <summary>About a second and a half of a 2.5 Mbit/s video track.</summary>
    public const int DefaultCapacity = 512;

    private const int SlotSize = 1500;
    private readonly byte[][] _slots = new byte[capacity][];
    private readonly int[] _lengths = new int[capacity];
    private readonly int[] _sequences = Enumerable.Repeat(-1, capacity).ToArray();
    private readonly Lock _sync = new();

    public void Add(ushort sequence, ReadOnlySpan<byte> packet)
    {
        if (packet.Length > SlotSize)
        {
            return;
        }

        int slot = sequence % _slots.Length;
        lock (_sync)
        {
            var entry = _slots[slot] ??= new byte[SlotSize];
            packet.CopyTo(entry);
            _lengths[slot] = packet.Length;
            _sequences[slot] = sequence;
        }
    }

    /// <summary>Copies the packet sent with this sequence number into <paramref name="destination"/>; 0 when it is no longer held.</summary>
    public int CopyTo(ushort sequence, Span<byte> destination)
    {
        int slot = sequence % _slots.Length;
        lock (_sync)
        {
            if (_sequences[slot] != sequence || _lengths[slot] > destination.Length)
            {
                return 0;
            }

            _slots[slot].AsSpan(0, _lengths[slot]).CopyTo(destination);
            return _lengths[slot];
        }
    }
}
