using System.Buffers.Binary;

namespace Stagecast.Media.Rtp;

/// <summary>
/// The fixed RTP header (RFC 3550 section 5.1) read in place:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
/// |                           timestamp                           |
/// |           synchronization source (SSRC) identifier            |
/// |            contributing source (CSRC) identifiers (CC)        |
/// | extension: profile (16) | length in words (16) | words ...    |
/// </code>
/// </summary>
public static class RtpHeader
{
    public const int FixedLength = 12;

    /// <summary>RTP and RTCP share the first byte's version bits (2); RTCP packet types are 192-223 (RFC 5761 section 4).</summary>
    public static bool IsRtcp(ReadOnlySpan<byte> packet) => packet.Length >= 2 && packet[1] is >= 192 and <= 223;

    /// <summary>The header's length (fixed part, CSRCs, extension); false when the packet is too short or not version 2.</summary>
    public static bool TryGetLength(ReadOnlySpan<byte> packet, out int length)
    {
        length = 0;
        if (packet.Length < FixedLength || (packet[0] >> 6) != 2)
        {
            return false;
        }

        int headerLength = FixedLength + ((packet[0] & 0x0F) * 4);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < headerLength + 4)
            {
                return false;
            }

            headerLength += 4 + (BinaryPrimitives.ReadUInt16BigEndian(packet[(headerLength + 2)..]) * 4);
        }

        if (packet.Length < headerLength)
        {
            return false;
        }

        length = headerLength;
        return true;
    }

    public static bool Marker(ReadOnlySpan<byte> packet) => (packet[1] & 0x80) != 0;

    public static byte PayloadType(ReadOnlySpan<byte> packet) => (byte)(packet[1] & 0x7F);

    public static ushort SequenceNumber(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);

    public static uint Timestamp(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);

    public static uint Ssrc(ReadOnlySpan<byte> packet) => BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);

    /// <summary>
    /// The payload of an unprotected packet: between the header and the padding (P bit); false when the packet is too
    /// short for its header, or its padding would reach into the header. The payload may be empty.
    /// </summary>
    public static bool TryGetPayload(ReadOnlySpan<byte> packet, out ReadOnlySpan<byte> payload)
    {
        payload = default;
        if (!TryGetLength(packet, out int headerLength))
        {
            return false;
        }

        int end = packet.Length - PaddingLength(packet);
        if (end < headerLength)
        {
            return false;
        }

        payload = packet[headerLength..end];
        return true;
    }

    /// <summary>
    /// A packet of padding only (P set, nothing between the header and the padding): what a sender's pacer sends to probe
    /// its link when it has no RTX stream to probe with. It carries no media.
    /// </summary>
    public static bool IsPaddingOnly(ReadOnlySpan<byte> packet) => PaddingLength(packet) > 0 && TryGetPayload(packet, out var payload) && payload.IsEmpty;

    /// <summary>The padding at the end of an unprotected packet (P bit), or 0.</summary>
    public static int PaddingLength(ReadOnlySpan<byte> packet) => (packet[0] & 0x20) != 0 && packet.Length > 0 ? packet[^1] : 0;

    /// <summary>
    /// A random first sequence number for an outgoing stream, below 2^15 (as libwebrtc picks it). A receiver's SRTP
    /// takes its rollover counter as 0 at the first packet it decrypts (RFC 3711, 3.3.1); had the numbers wrapped before
    /// that packet (the first ones sent while the viewer's DTLS was still finishing, or lost), it would fail every packet
    /// after. From below 2^15 the first wrap comes 32,768 packets in.
    /// </summary>
    public static ushort InitialSequenceNumber() => (ushort)Random.Shared.Next(1 << 15);

    /// <summary>Writes a 12-byte header without CSRCs or extension.</summary>
    public static void Write(Span<byte> destination, bool marker, byte payloadType, ushort sequence, uint timestamp, uint ssrc)
    {
        destination[0] = 0x80;
        destination[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
    }
}
