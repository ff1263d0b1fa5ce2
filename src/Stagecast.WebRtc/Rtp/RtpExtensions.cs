using System.Buffers.Binary;
using Stagecast.Media.Rtp;

namespace Stagecast.WebRtc.Rtp;

/// <summary>
/// RTP header extension elements (RFC 8285): the one-byte form (profile 0xBEDE, ids 1-14, lengths 1-16) and the
/// two-byte form (profile 0x100x, ids 1-255, lengths 0-255), read in place. The ids are those the SDP's
/// <c>a=extmap</c> lines gave each extension.
/// </summary>
public static class RtpExtensions
{
    private const ushort OneByteProfile = 0xBEDE;
    private const ushort TwoByteProfileMask = 0xFFF0;
    private const ushort TwoByteProfile = 0x1000;

    /// <summary>The value of the element with <paramref name="id"/>; false when the packet has none (or is malformed).</summary>
    public static bool TryFind(ReadOnlySpan<byte> packet, int id, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (id <= 0 || packet.Length < RtpHeader.FixedLength || (packet[0] & 0x10) == 0)
        {
            return false;
        }

        int start = RtpHeader.FixedLength + ((packet[0] & 0x0F) * 4);
        if (packet.Length < start + 4)
        {
            return false;
        }

        ushort profile = BinaryPrimitives.ReadUInt16BigEndian(packet[start..]);
        int length = BinaryPrimitives.ReadUInt16BigEndian(packet[(start + 2)..]) * 4;
        if (packet.Length < start + 4 + length)
        {
            return false;
        }

        var elements = packet.Slice(start + 4, length);
        bool oneByte = profile == OneByteProfile;
        if (!oneByte && (profile & TwoByteProfileMask) != TwoByteProfile)
        {
            return false;
        }

        int position = 0;
        while (position < elements.Length)
        {
            if (elements[position] == 0)
            {
                position++; // padding between elements
                continue;
            }

            int elementId;
            int elementLength;
            if (oneByte)
            {
                elementId = elements[position] >> 4;
                elementLength = (elements[position] & 0x0F) + 1;
                if (elementId == 15)
                {
                    return false; // reserved: stop reading (RFC 8285 section 4.2)
                }

                position++;
            }
            else
            {
                if (position + 1 >= elements.Length)
                {
                    return false;
                }

                elementId = elements[position];
                elementLength = elements[position + 1];
                position += 2;
            }

            if (position + elementLength > elements.Length)
            {
                return false;
            }

            if (elementId == id)
            {
                value = elements.Slice(position, elementLength);
                return true;
            }

            position += elementLength;
        }

        return false;
    }

    /// <summary>The bytes <see cref="WriteWithTransportSequence"/> takes for its extension block.</summary>
    public const int TransportSequenceBlock = 8;

    /// <summary>
    /// Writes <paramref name="packet"/> (its header <paramref name="headerLength"/> bytes) into <paramref name="destination"/>
    /// with its header extensions replaced by one: the transport-wide sequence number under <paramref name="id"/>, zero
    /// until <see cref="TryStampTransportSequence"/> numbers it as it goes. A forwarded packet's other extensions were
    /// the publisher's, under ids its receiver never agreed to. Returns the length written.
    /// </summary>
    public static int WriteWithTransportSequence(ReadOnlySpan<byte> packet, int headerLength, int id, Span<byte> destination)
    {
        int at = RtpHeader.FixedLength + ((packet[0] & 0x0F) * 4);
        packet[..at].CopyTo(destination);
        destination[0] |= 0x10;
        BinaryPrimitives.WriteUInt16BigEndian(destination[at..], OneByteProfile);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(at + 2)..], 1);
        destination[at + 4] = (byte)((id << 4) | 1);
        destination.Slice(at + 5, 3).Clear();
        packet[headerLength..].CopyTo(destination[(at + TransportSequenceBlock)..]);
        return at + TransportSequenceBlock + packet.Length - headerLength;
    }

    /// <summary>Numbers a packet <see cref="WriteWithTransportSequence"/> wrote; false for any other packet.</summary>
    public static bool TryStampTransportSequence(Span<byte> packet, int id, ushort sequence)
    {
        if (packet.Length < RtpHeader.FixedLength || (packet[0] & 0x10) == 0)
        {
            return false;
        }

        int at = RtpHeader.FixedLength + ((packet[0] & 0x0F) * 4);
        if (packet.Length < at + TransportSequenceBlock || BinaryPrimitives.ReadUInt16BigEndian(packet[at..]) != OneByteProfile || packet[at + 4] != ((id << 4) | 1))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt16BigEndian(packet[(at + 5)..], sequence);
        return true;
    }
}
