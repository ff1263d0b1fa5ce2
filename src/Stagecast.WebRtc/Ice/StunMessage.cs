using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Stagecast.WebRtc.Ice;

/// <summary>
/// A STUN message (RFC 8489 section 5) read in place, attributes found by walking the TLVs with every length checked:
/// <code>
/// |0 0|     STUN Message Type     |         Message Length        |
/// |                         Magic Cookie                          |
/// |                     Transaction ID (96 bits)                  |
/// | Type (16) | Length (16) | Value, padded to 4 bytes | ...
/// </code>
/// </summary>
public readonly ref struct StunMessage
{
    public const int HeaderLength = 20;
    public const uint MagicCookie = 0x2112A442;
    public const ushort BindingRequest = 0x0001;
    public const ushort BindingSuccess = 0x0101;
    private const int MaxAttributes = 32;
    private const uint FingerprintXor = 0x5354554E;

    private readonly ReadOnlySpan<byte> _packet;

    private StunMessage(ReadOnlySpan<byte> packet) => _packet = packet;

    public ushort Type => BinaryPrimitives.ReadUInt16BigEndian(_packet);

    public ReadOnlySpan<byte> TransactionId => _packet.Slice(8, 12);

    /// <summary>A STUN message: the header's zero bits, magic cookie and a length that matches the packet.</summary>
    public static bool TryParse(ReadOnlySpan<byte> packet, out StunMessage message)
    {
        message = default;
        if (packet.Length < HeaderLength || (packet[0] & 0xC0) != 0
            || BinaryPrimitives.ReadUInt32BigEndian(packet[4..]) != MagicCookie
            || BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) != packet.Length - HeaderLength
            || (packet.Length & 3) != 0)
        {
            return false;
        }

        message = new StunMessage(packet);
        return message.Walk(0, out _, out _) >= 0;
    }

    public bool TryGetAttribute(ushort type, out ReadOnlySpan<byte> value)
    {
        int offset = Walk(type, out int valueOffset, out int valueLength);
        value = offset >= 0 && valueLength >= 0 ? _packet.Slice(valueOffset, valueLength) : default;
        return offset >= 0 && valueLength >= 0;
    }

    public bool HasAttribute(ushort type) => TryGetAttribute(type, out _);

    /// <summary>MESSAGE-INTEGRITY: HMAC-SHA1 under the short-term key over the message up to it (RFC 8489 section 14.5).</summary>
    public bool VerifyIntegrity(ReadOnlySpan<byte> key)
    {
        if (Walk(StunAttribute.MessageIntegrity, out int valueOffset, out int valueLength) is var at && (at < 0 || valueLength != 20))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[20];
        ComputeIntegrity(_packet[..at], key, expected);
        return CryptographicOperations.FixedTimeEquals(expected, _packet.Slice(valueOffset, 20));
    }

    /// <summary>FINGERPRINT: CRC-32 of the message up to it, XOR 0x5354554e (RFC 8489 section 14.7).</summary>
    public bool VerifyFingerprint()
    {
        int at = Walk(StunAttribute.Fingerprint, out int valueOffset, out int valueLength);
        return at >= 0 && valueLength == 4 && at + 8 == _packet.Length
            && Fingerprint(_packet[..at]) == BinaryPrimitives.ReadUInt32BigEndian(_packet[valueOffset..]);
    }

    /// <summary>The HMAC over <paramref name="upTo"/> with the header's length set as if it ended after MESSAGE-INTEGRITY.</summary>
    internal static void ComputeIntegrity(ReadOnlySpan<byte> upTo, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        upTo[..HeaderLength].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(upTo.Length - HeaderLength + 24));
        using var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
        mac.AppendData(header);
        mac.AppendData(upTo[HeaderLength..]);
        mac.GetHashAndReset(destination);
    }

    internal static uint Fingerprint(ReadOnlySpan<byte> upTo)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        upTo[..HeaderLength].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)(upTo.Length - HeaderLength + 8));
        return Crc32.Compute(header, upTo[HeaderLength..]) ^ FingerprintXor;
    }

    /// <summary>
    /// Walks the attributes: the offset of the first of <paramref name="type"/> (0 for none: just validate), or -1 when
    /// absent or the TLVs are malformed (which <see cref="TryParse"/> refuses up front).
    /// </summary>
    private int Walk(ushort type, out int valueOffset, out int valueLength)
    {
        valueOffset = 0;
        valueLength = -1;
        int offset = HeaderLength;
        for (int count = 0; offset < _packet.Length; count++)
        {
            if (count >= MaxAttributes || offset + 4 > _packet.Length)
            {
                return -1;
            }

            ushort attributeType = BinaryPrimitives.ReadUInt16BigEndian(_packet[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(_packet[(offset + 2)..]);
            int padded = (length + 3) & ~3;
            if (offset + 4 + padded > _packet.Length)
            {
                return -1;
            }

            if (type != 0 && attributeType == type)
            {
                valueOffset = offset + 4;
                valueLength = length;
                return offset;
            }

            offset += 4 + padded;
        }

        return type == 0 ? 0 : -1;
    }
}
