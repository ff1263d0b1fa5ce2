using System.Buffers.Binary;

namespace Stagecast.Media.MpegTs;

/// <summary>
/// One transport stream packet's header and adaptation field (ISO/IEC 13818-1 2.4.3.2, 2.4.3.4).
/// <code>
/// u8 sync 0x47 | 1 error 1 payload_unit_start 1 priority 13 PID | 2 scrambling 2 adaptation_field_control 4 continuity
/// [u8 adaptation_field_length | 1 discontinuity 1 random_access 1 priority 1 PCR 1 OPCR 1 splice 1 private 1 ext | PCR 48 bits ...]
/// payload up to byte 188
/// </code>
/// </summary>
public readonly record struct TsPacket(
    int Pid, bool PayloadUnitStart, int ContinuityCounter, bool HasPayload, bool Discontinuity, bool RandomAccess, long? Pcr, int PayloadOffset)
{
    public const int Size = 188;

    public const byte SyncByte = 0x47;

    private const int HeaderSize = 4;

    /// <summary>The adaptation field's length byte may claim the whole rest of the packet, never more.</summary>
    private const int MaxAdaptationFieldLength = Size - HeaderSize - 1;

    /// <summary>PID of the program association table.</summary>
    public const int PatPid = 0x0000;

    /// <summary>PID of null (stuffing) packets.</summary>
    public const int NullPid = 0x1FFF;

    /// <summary>Parses a 188-byte packet; throws <see cref="MediaFormatException"/> when it is not one.</summary>
    public static TsPacket Parse(ReadOnlySpan<byte> packet)
    {
        if (packet.Length != Size || packet[0] != SyncByte)
        {
            ThrowHelper.Malformed(packet.Length != Size ? $"transport packet of {packet.Length} bytes, {Size} expected" : "transport packet without its sync byte (0x47)");
        }

        bool transportError = (packet[1] & 0x80) != 0;
        bool unitStart = (packet[1] & 0x40) != 0;
        int pid = BinaryPrimitives.ReadUInt16BigEndian(packet[1..]) & 0x1FFF;
        int scrambling = packet[3] >> 6;
        int control = (packet[3] >> 4) & 0x03;
        int continuity = packet[3] & 0x0F;
        bool hasAdaptation = (control & 0x02) != 0;
        // A packet flagged as damaged by the link, scrambled, or with the reserved control value carries nothing usable.
        bool hasPayload = (control & 0x01) != 0 && !transportError && scrambling == 0;
        int offset = HeaderSize;
        bool discontinuity = false;
        bool randomAccess = false;
        long? pcr = null;
        if (hasAdaptation)
        {
            int length = packet[offset];
            if (length > MaxAdaptationFieldLength)
            {
                ThrowHelper.Malformed($"adaptation field of {length} bytes exceeds the packet ({MaxAdaptationFieldLength} at most)");
            }

            if (length > 0)
            {
                byte flags = packet[offset + 1];
                discontinuity = (flags & 0x80) != 0;
                randomAccess = (flags & 0x40) != 0;
                if ((flags & 0x10) != 0)
                {
                    if (length < 7)
                    {
                        ThrowHelper.Malformed($"adaptation field of {length} bytes announces a PCR (7 needed)");
                    }

                    pcr = ReadPcrBase(packet.Slice(offset + 2, 6));
                }
            }

            offset += 1 + length;
        }

        return new TsPacket(pid, unitStart, continuity, hasPayload && offset < Size, discontinuity, randomAccess, pcr, offset);
    }

    /// <summary>The 33-bit base of a program clock reference, in 90 kHz units (the 27 MHz extension is not needed).</summary>
    private static long ReadPcrBase(ReadOnlySpan<byte> field) =>
        ((long)BinaryPrimitives.ReadUInt32BigEndian(field) << 1) | (uint)(field[4] >> 7);
}
