using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Stagecast.Rtmp.Handshake;

/// <summary>
/// The server side of the RTMP handshake (RTMP spec 5.2). Reads C0+C1, answers S0+S1+S2 at once, then waits
/// for C2. A C1 that carries a client version and a valid digest (Flash Player 9 style, as ffmpeg sends) gets a
/// signed S1 and S2; otherwise S1 is plain and S2 echoes C1.
/// <code>
/// C0/S0: u8 version = 3
/// C1/S1: u32 time | u32 version (zero: simple handshake) | 1528 random (digest inside when version != 0)
/// C2/S2: 1536 bytes echoing the peer's packet, or signed (digest handshake)
/// </code>
/// </summary>
public sealed class ServerHandshake
{
    private const byte RtmpVersion = 3;
    private const uint ServerVersion = 0x0D0E0A0D;
    private const int PacketSize = HandshakeDigest.PacketSize;

    private bool _sentResponse;

    public bool IsComplete { get; private set; }

    /// <summary>True when the client used the digest handshake.</summary>
    public bool UsedDigest { get; private set; }

    /// <summary>
    /// Consumes handshake bytes. Returns true once the handshake is complete; false when more bytes are needed.
    /// Writes the S0+S1+S2 response to <paramref name="output"/> as soon as C0+C1 are in.
    /// </summary>
    public bool TryAdvance(ref ReadOnlySequence<byte> buffer, IBufferWriter<byte> output)
    {
        if (!_sentResponse)
        {
            if (buffer.Length < 1 + PacketSize)
            {
                if (buffer.Length > 0 && buffer.FirstSpan[0] != RtmpVersion)
                {
                    ThrowBadVersion(buffer.FirstSpan[0]);
                }

                return false;
            }

            Span<byte> c0c1 = stackalloc byte[1 + PacketSize];
            buffer.Slice(0, 1 + PacketSize).CopyTo(c0c1);
            if (c0c1[0] != RtmpVersion)
            {
                ThrowBadVersion(c0c1[0]);
            }

            WriteResponse(c0c1[1..], output);
            buffer = buffer.Slice(1 + PacketSize);
            _sentResponse = true;
        }

        if (buffer.Length < PacketSize)
        {
            return false;
        }

        // C2 is not checked: encoders differ in what they echo, and nothing depends on it.
        buffer = buffer.Slice(PacketSize);
        IsComplete = true;
        return true;
    }

    private void WriteResponse(ReadOnlySpan<byte> c1, IBufferWriter<byte> output)
    {
        var response = output.GetSpan(1 + (2 * PacketSize))[..(1 + (2 * PacketSize))];
        response[0] = RtmpVersion;
        var s1 = response.Slice(1, PacketSize);
        var s2 = response.Slice(1 + PacketSize, PacketSize);
        RandomNumberGenerator.Fill(s1[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(s1, 0);

        bool clientSentVersion = BinaryPrimitives.ReadUInt32BigEndian(c1[4..]) != 0;
        byte[] clientDigest = [];
        int scheme = clientSentVersion
            ? HandshakeDigest.FindScheme(c1, HandshakeDigest.ClientKey.AsSpan(0, HandshakeDigest.ClientKeyPartialLength), out clientDigest)
            : -1;
        if (scheme >= 0)
        {
            UsedDigest = true;
            BinaryPrimitives.WriteUInt32BigEndian(s1[4..], ServerVersion);
            HandshakeDigest.Sign(s1, scheme, HandshakeDigest.ServerKey.AsSpan(0, HandshakeDigest.ServerKeyPartialLength));
            RandomNumberGenerator.Fill(s2);
            HandshakeDigest.SignResponse(s2, clientDigest, HandshakeDigest.ServerKey);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(s1[4..], 0);
            c1.CopyTo(s2);
        }

        output.Advance(1 + (2 * PacketSize));
    }

    private static void ThrowBadVersion(byte version) =>
        throw new RtmpProtocolException(version == 6
            ? "encrypted RTMP (RTMPE) is not supported"
            : $"handshake version {version}, expected 3 (is this RTMP?)");
}
