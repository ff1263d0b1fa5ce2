using System.Buffers.Binary;

namespace Stagecast.WebRtc.Rtcp;

/// <summary>
/// A report block of a sender or receiver report (RFC 3550 section 6.4.1): what a receiver got of one source.
/// <paramref name="FractionLost"/> is out of 256 since the previous report; <paramref name="CumulativeLost"/> is signed
/// (duplicates can make it negative); <paramref name="LastSenderReport"/> and <paramref name="Delay"/> (in 1/65536 s)
/// let the sender measure the round trip.
/// </summary>
public readonly record struct ReceptionReport(
    uint Ssrc, byte FractionLost, int CumulativeLost, uint HighestSequence, uint Jitter, uint LastSenderReport, uint Delay)
{
    public const int Length = 24;

    public static ReceptionReport Read(ReadOnlySpan<byte> block)
    {
        int lost = (block[5] << 16) | (block[6] << 8) | block[7];
        if ((lost & 0x800000) != 0)
        {
            lost -= 0x1000000; // 24-bit two's complement
        }

        return new ReceptionReport(
            BinaryPrimitives.ReadUInt32BigEndian(block),
            block[4],
            lost,
            BinaryPrimitives.ReadUInt32BigEndian(block[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(block[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(block[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(block[20..]));
    }

    public void Write(Span<byte> block)
    {
        BinaryPrimitives.WriteUInt32BigEndian(block, Ssrc);
        int lost = Math.Clamp(CumulativeLost, -0x800000, 0x7FFFFF) & 0xFFFFFF;
        block[4] = FractionLost;
        block[5] = (byte)(lost >> 16);
        block[6] = (byte)(lost >> 8);
        block[7] = (byte)lost;
        BinaryPrimitives.WriteUInt32BigEndian(block[8..], HighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(block[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(block[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(block[20..], Delay);
    }
}
