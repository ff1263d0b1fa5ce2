using System.Buffers.Binary;

namespace Stagecast.Media.MpegTs;

/// <summary>
/// The header of a PES packet (ISO/IEC 13818-1 2.4.3.6) for the stream ids that carry the optional header (audio,
/// video, private stream 1).
/// <code>
/// 00 00 01 | u8 stream_id | u16 PES_packet_length (0: unbounded, video only)
/// 2 '10' 2 scrambling 1 priority 1 alignment 1 copyright 1 original | 2 PTS_DTS 6 other flags | u8 header_data_length
/// [PTS 5 bytes] [DTS 5 bytes] ... stuffing | payload
/// </code>
/// </summary>
public readonly record struct PesHeader(byte StreamId, long? Pts, long? Dts, int PayloadOffset)
{
    /// <summary>The fixed part: start code, stream id, length, two flag bytes and the header data length.</summary>
    public const int FixedLength = 9;

    /// <summary>Bytes before PES_packet_length starts counting (start code, stream id, the length itself).</summary>
    public const int LengthFieldEnd = 6;

    /// <summary>The PES_packet_length field, or null when fewer than 6 bytes are at hand; 0 means unbounded.</summary>
    public static int? PacketLength(ReadOnlySpan<byte> pes) =>
        pes.Length < LengthFieldEnd ? null : BinaryPrimitives.ReadUInt16BigEndian(pes[4..]);

    /// <summary>Parses the header at the start of a complete PES packet; throws <see cref="MediaFormatException"/> when malformed.</summary>
    public static PesHeader Parse(ReadOnlySpan<byte> pes)
    {
        if (pes.Length < FixedLength)
        {
            ThrowHelper.Malformed($"PES packet of {pes.Length} bytes, at least {FixedLength} needed");
        }

        if (pes[0] != 0 || pes[1] != 0 || pes[2] != 1)
        {
            ThrowHelper.Malformed("PES packet without its start code prefix");
        }

        byte streamId = pes[3];
        if ((pes[6] & 0xC0) != 0x80)
        {
            ThrowHelper.Malformed($"PES header of stream 0x{streamId:x2} without its '10' marker");
        }

        int flags = pes[7] >> 6;
        int headerDataLength = pes[8];
        int payloadOffset = FixedLength + headerDataLength;
        if (payloadOffset > pes.Length)
        {
            ThrowHelper.Malformed($"PES header data of {headerDataLength} bytes exceeds the packet");
        }

        long? pts = null;
        long? dts = null;
        switch (flags)
        {
            case 0b10 when headerDataLength >= TsTimestamp.EncodedLength:
                pts = TsTimestamp.Read(pes.Slice(FixedLength, TsTimestamp.EncodedLength));
                break;
            case 0b11 when headerDataLength >= 2 * TsTimestamp.EncodedLength:
                pts = TsTimestamp.Read(pes.Slice(FixedLength, TsTimestamp.EncodedLength));
                dts = TsTimestamp.Read(pes.Slice(FixedLength + TsTimestamp.EncodedLength, TsTimestamp.EncodedLength));
                break;
            case 0b00:
                break;
            default:
                ThrowHelper.Malformed($"PES header with PTS_DTS_flags {flags} and {headerDataLength} bytes of header data");
                break;
        }

        return new PesHeader(streamId, pts, dts, payloadOffset);
    }

    /// <summary>Writes a header with a PTS (and a DTS when it differs); returns its length.</summary>
    /// <param name="payloadLength">Bytes after the header, or -1 for an unbounded (video) packet.</param>
    public static int Write(Span<byte> destination, byte streamId, long pts, long? dts, int payloadLength)
    {
        bool withDts = dts is { } d && d != pts;
        int headerDataLength = withDts ? 2 * TsTimestamp.EncodedLength : TsTimestamp.EncodedLength;
        int length = FixedLength + headerDataLength;
        int packetLength = payloadLength < 0 || length - LengthFieldEnd + payloadLength > ushort.MaxValue ? 0 : length - LengthFieldEnd + payloadLength;
        destination[0] = 0;
        destination[1] = 0;
        destination[2] = 1;
        destination[3] = streamId;
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)packetLength);
        destination[6] = 0x80; // '10', then no flags: as ffmpeg writes it
        destination[7] = (byte)(withDts ? 0xC0 : 0x80);
        destination[8] = (byte)headerDataLength;
        TsTimestamp.Write(destination[FixedLength..], withDts ? 0b0011 : 0b0010, pts);
        if (withDts)
        {
            TsTimestamp.Write(destination[(FixedLength + TsTimestamp.EncodedLength)..], 0b0001, dts!.Value);
        }

        return length;
    }
}
