using System.Buffers.Binary;

namespace Stagecast.WebRtc.Rtcp;

/// <summary>One packet of a compound RTCP packet: its header fields and body (after the 4-byte header).</summary>
public readonly ref struct RtcpPacket(byte format, byte type, ReadOnlySpan<byte> body)
{
    /// <summary>The header's 5-bit count or feedback format (FMT).</summary>
    public byte Format { get; } = format;

    public byte Type { get; } = type;

    public ReadOnlySpan<byte> Body { get; } = body;

    /// <summary>The packet sender's SSRC (first body word), or 0.</summary>
    public uint SenderSsrc => Body.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(Body) : 0;

    /// <summary>For feedback messages (RFC 4585 section 6.1): the media source's SSRC, or 0.</summary>
    public uint MediaSsrc => Body.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(Body[4..]) : 0;

    public bool IsPli => Type == RtcpWriter.PayloadFeedbackType && Format == 1;

    public bool IsFir => Type == RtcpWriter.PayloadFeedbackType && Format == 4;

    public bool IsNack => Type == RtcpWriter.TransportFeedbackType && Format == 1;

    /// <summary>The report blocks of a sender or receiver report (the count is the header's), as far as the body holds them.</summary>
    public int ReceptionReports(Span<ReceptionReport> destination)
    {
        int offset = Type switch
        {
            RtcpWriter.SenderReportType => 24,
            RtcpWriter.ReceiverReportType => 4,
            _ => -1,
        };
        int count = 0;
        for (int i = 0; offset >= 0 && i < Format && count < destination.Length && offset + ReceptionReport.Length <= Body.Length; i++)
        {
            destination[count++] = ReceptionReport.Read(Body[offset..]);
            offset += ReceptionReport.Length;
        }

        return count;
    }

    /// <summary>The sequence numbers a generic NACK asks for (each FCI's packet id and bitmask); at most <paramref name="destination"/>'s length.</summary>
    public int NackedSequences(Span<ushort> destination)
    {
        int count = 0;
        for (int offset = 8; offset + 4 <= Body.Length; offset += 4)
        {
            ushort pid = BinaryPrimitives.ReadUInt16BigEndian(Body[offset..]);
            ushort mask = BinaryPrimitives.ReadUInt16BigEndian(Body[(offset + 2)..]);
            if (count < destination.Length)
            {
                destination[count++] = pid;
            }

            for (int bit = 0; bit < 16 && count < destination.Length; bit++)
            {
                if ((mask & (1 << bit)) != 0)
                {
                    destination[count++] = (ushort)(pid + bit + 1);
                }
            }
        }

        return count;
    }
}

/// <summary>
/// Walks a compound RTCP packet (RFC 3550 section 6.1) with every length checked: each packet's length field must fit
/// in what is left, and a walk stops at the first that does not.
/// </summary>
public ref struct RtcpReader(ReadOnlySpan<byte> compound)
{
    private ReadOnlySpan<byte> _rest = compound;

    public bool TryRead(out RtcpPacket packet)
    {
        packet = default;
        if (_rest.Length < 4 || (_rest[0] >> 6) != 2)
        {
            return false;
        }

        int length = (BinaryPrimitives.ReadUInt16BigEndian(_rest[2..]) + 1) * 4;
        if (length > _rest.Length)
        {
            _rest = default;
            return false;
        }

        int padding = (_rest[0] & 0x20) != 0 ? _rest[length - 1] : 0;
        if (padding > length - 4)
        {
            _rest = default;
            return false;
        }

        packet = new RtcpPacket((byte)(_rest[0] & 0x1F), _rest[1], _rest[4..(length - padding)]);
        _rest = _rest[length..];
        return true;
    }
}
