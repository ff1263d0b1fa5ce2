using System.Buffers.Binary;

namespace Stagecast.WebRtc.Rtcp;

/// <summary>Writes the RTCP packets Stagecast sends (RFC 3550, RFC 4585, RFC 5104, draft-alvestrand-rmcat-remb). Each returns its length.</summary>
public static class RtcpWriter
{
    public const byte SenderReportType = 200;
    public const byte ReceiverReportType = 201;
    public const byte ByeType = 203;
    public const byte TransportFeedbackType = 205;
    public const byte PayloadFeedbackType = 206;

    /// <summary>Sender report without report blocks: the NTP time and RTP timestamp of one instant, packets and octets sent.</summary>
    public static int SenderReport(Span<byte> destination, uint ssrc, ulong ntpTime, uint rtpTimestamp, uint packets, uint octets)
    {
        Header(destination, 0, SenderReportType, 28);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], ntpTime);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], packets);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], octets);
        return 28;
    }

    /// <summary>An empty receiver report (RFC 3550 6.4.2): a compound packet must start with SR or RR.</summary>
    public static int EmptyReceiverReport(Span<byte> destination, uint ssrc)
    {
        Header(destination, 0, ReceiverReportType, 8);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        return 8;
    }

    /// <summary>A receiver report (RFC 3550 6.4.2) with a block for each source received (at most 31).</summary>
    public static int ReceiverReport(Span<byte> destination, uint ssrc, ReadOnlySpan<ReceptionReport> reports)
    {
        int count = Math.Min(reports.Length, 31);
        int length = 8 + (count * ReceptionReport.Length);
        Header(destination, (byte)count, ReceiverReportType, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        for (int i = 0; i < count; i++)
        {
            reports[i].Write(destination[(8 + (i * ReceptionReport.Length))..]);
        }

        return length;
    }

    /// <summary>Picture loss indication (RFC 4585 section 6.3.1): the receiver asks for a keyframe.</summary>
    public static int Pli(Span<byte> destination, uint senderSsrc, uint mediaSsrc)
    {
        Header(destination, 1, PayloadFeedbackType, 12);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
        return 12;
    }

    /// <summary>Generic NACK (RFC 4585 section 6.2.1): one FCI per lost packet and the bitmask of the 16 after it.</summary>
    public static int Nack(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lost)
    {
        int offset = 12;
        int i = 0;
        while (i < lost.Length && offset + 4 <= destination.Length)
        {
            ushort pid = lost[i++];
            ushort mask = 0;
            while (i < lost.Length && (ushort)(lost[i] - pid) is >= 1 and <= 16)
            {
                mask |= (ushort)(1 << ((ushort)(lost[i] - pid) - 1));
                i++;
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], pid);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], mask);
            offset += 4;
        }

        Header(destination, 1, TransportFeedbackType, offset);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
        return offset;
    }

    /// <summary>Receiver estimated maximum bitrate: the sender is asked to stay under <paramref name="bitsPerSecond"/>.</summary>
    public static int Remb(Span<byte> destination, uint senderSsrc, ulong bitsPerSecond, ReadOnlySpan<uint> ssrcs)
    {
        int exponent = 0;
        while ((bitsPerSecond >> exponent) > 0x3FFFF)
        {
            exponent++;
        }

        int length = 20 + (4 * ssrcs.Length);
        Header(destination, 15, PayloadFeedbackType, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], 0);
        "REMB"u8.CopyTo(destination[12..]);
        uint mantissa = (uint)(bitsPerSecond >> exponent);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], ((uint)ssrcs.Length << 24) | ((uint)exponent << 18) | mantissa);
        for (int i = 0; i < ssrcs.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(20 + (4 * i))..], ssrcs[i]);
        }

        return length;
    }

    private static void Header(Span<byte> destination, int countOrFormat, byte type, int length)
    {
        destination[0] = (byte)(0x80 | countOrFormat);
        destination[1] = type;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((length / 4) - 1));
    }
}
