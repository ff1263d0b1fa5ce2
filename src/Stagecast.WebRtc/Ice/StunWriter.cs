using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Stagecast.WebRtc.Ice;

/// <summary>Writes the STUN messages an ICE-lite agent sends: binding success responses (RFC 8445 section 7.3.1.4).</summary>
public static class StunWriter
{
    /// <summary>Bytes a binding success response takes at most (IPv6 mapped address).</summary>
    public const int MaxResponseLength = StunMessage.HeaderLength + 24 + 24 + 8;

    /// <summary>
    /// A binding success response to <paramref name="transactionId"/>: XOR-MAPPED-ADDRESS of where the request came
    /// from, MESSAGE-INTEGRITY under our ICE password, FINGERPRINT. Returns the length written.
    /// </summary>
    public static int WriteBindingSuccess(Span<byte> destination, ReadOnlySpan<byte> transactionId, IPEndPoint mapped, ReadOnlySpan<byte> integrityKey)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, StunMessage.BindingSuccess);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StunMessage.MagicCookie);
        transactionId.CopyTo(destination[8..]);
        int offset = StunMessage.HeaderLength;
        offset += WriteXorMappedAddress(destination[offset..], transactionId, mapped);

        SetLength(destination, offset - StunMessage.HeaderLength);
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], StunAttribute.MessageIntegrity);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], 20);
        StunMessage.ComputeIntegrity(destination[..offset], integrityKey, destination[(offset + 4)..]);
        offset += 24;

        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], StunAttribute.Fingerprint);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], 4);
        BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 4)..], StunMessage.Fingerprint(destination[..offset]));
        offset += 8;
        SetLength(destination, offset - StunMessage.HeaderLength);
        return offset;
    }

    /// <summary>XOR-MAPPED-ADDRESS (RFC 8489 section 14.2): port XOR the cookie's top half, address XOR cookie (and transaction id for IPv6).</summary>
    internal static int WriteXorMappedAddress(Span<byte> destination, ReadOnlySpan<byte> transactionId, IPEndPoint endPoint)
    {
        var address = endPoint.Address.IsIPv4MappedToIPv6 ? endPoint.Address.MapToIPv4() : endPoint.Address;
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        int valueLength = v6 ? 20 : 8;
        BinaryPrimitives.WriteUInt16BigEndian(destination, StunAttribute.XorMappedAddress);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)valueLength);
        destination[4] = 0;
        destination[5] = v6 ? (byte)2 : (byte)1;
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)(endPoint.Port ^ (StunMessage.MagicCookie >> 16)));
        Span<byte> key = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(key, StunMessage.MagicCookie);
        transactionId.CopyTo(key[4..]);
        var bytes = destination.Slice(8, valueLength - 4);
        address.TryWriteBytes(bytes, out _);
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] ^= key[i];
        }

        return 4 + valueLength;
    }

    private static void SetLength(Span<byte> message, int length) => BinaryPrimitives.WriteUInt16BigEndian(message[2..], (ushort)length);
}
