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
}
