using System.Security.Cryptography;

namespace Stagecast.Rtmp.Handshake;

/// <summary>
/// The digest ("complex", Flash Player 9) handshake: C1/S1 embed an HMAC-SHA256 digest at an offset derived from
/// four bytes of the packet; S2/C2 end with an HMAC keyed by the peer's digest. The keys are the published
/// protocol constants. Schemes: 0 places the digest after bytes 8..11, 1 after bytes 772..775.
/// </summary>
public static class HandshakeDigest
{
    public const int PacketSize = 1536;
    public const int DigestLength = 32;

    private static readonly byte[] KeyTail =
    [
        0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
        0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
    ];

    /// <summary>"Genuine Adobe Flash Player 001" + tail; the first 30 bytes sign C1.</summary>
    public static readonly byte[] ClientKey = [.. "Genuine Adobe Flash Player 001"u8, .. KeyTail];

    /// <summary>"Genuine Adobe Flash Media Server 001" + tail; the first 36 bytes sign S1, all of it S2.</summary>
    public static readonly byte[] ServerKey = [.. "Genuine Adobe Flash Media Server 001"u8, .. KeyTail];

    public const int ClientKeyPartialLength = 30;
    public const int ServerKeyPartialLength = 36;

    /// <summary>Where the digest sits in a 1536-byte packet for a scheme.</summary>
    public static int DigestOffset(ReadOnlySpan<byte> packet, int scheme)
    {
        int baseOffset = scheme == 0 ? 8 : 772;
        int sum = packet[baseOffset] + packet[baseOffset + 1] + packet[baseOffset + 2] + packet[baseOffset + 3];
        return (sum % 728) + baseOffset + 4;
    }

    /// <summary>HMAC-SHA256 over the packet without the 32 digest bytes at <paramref name="offset"/>.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> packet, int offset, ReadOnlySpan<byte> key)
    {
        Span<byte> message = stackalloc byte[PacketSize - DigestLength];
        packet[..offset].CopyTo(message);
        packet[(offset + DigestLength)..].CopyTo(message[offset..]);
        return HMACSHA256.HashData(key, message);
    }

    /// <summary>Finds a valid digest in a packet signed with <paramref name="key"/>; returns its scheme or -1.</summary>
    public static int FindScheme(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> key, out byte[] digest)
    {
        for (int scheme = 0; scheme < 2; scheme++)
        {
            int offset = DigestOffset(packet, scheme);
            byte[] expected = Compute(packet, offset, key);
            if (expected.AsSpan().SequenceEqual(packet.Slice(offset, DigestLength)))
            {
                digest = expected;
                return scheme;
            }
        }

        digest = [];
        return -1;
    }

    /// <summary>Signs a packet in place with a digest at the scheme's offset.</summary>
    public static void Sign(Span<byte> packet, int scheme, ReadOnlySpan<byte> key)
    {
        int offset = DigestOffset(packet, scheme);
        Compute(packet, offset, key).CopyTo(packet[offset..]);
    }

    /// <summary>Fills the last 32 bytes of an S2/C2 response keyed by the peer's digest.</summary>
    public static void SignResponse(Span<byte> packet, ReadOnlySpan<byte> peerDigest, ReadOnlySpan<byte> fullKey)
    {
        byte[] responseKey = HMACSHA256.HashData(fullKey, peerDigest);
        HMACSHA256.HashData(responseKey, packet[..(PacketSize - DigestLength)]).CopyTo(packet[(PacketSize - DigestLength)..]);
    }

    public static bool VerifyResponse(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> ownDigest, ReadOnlySpan<byte> fullKey)
    {
        byte[] responseKey = HMACSHA256.HashData(fullKey, ownDigest);
        byte[] expected = HMACSHA256.HashData(responseKey, packet[..(PacketSize - DigestLength)]);
        return expected.AsSpan().SequenceEqual(packet[(PacketSize - DigestLength)..]);
    }
}
