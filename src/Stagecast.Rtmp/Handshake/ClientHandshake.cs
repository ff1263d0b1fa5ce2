using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Stagecast.Rtmp.Handshake;

/// <summary>
/// The client side of the RTMP handshake (RTMP spec 5.2), in the simple form OBS uses: C1 carries a zero
/// version, C2 echoes S1.
/// </summary>
public static class ClientHandshake
{
    private const int PacketSize = HandshakeDigest.PacketSize;

    /// <summary>Writes C0+C1.</summary>
    public static void WriteHello(IBufferWriter<byte> output)
    {
        var span = output.GetSpan(1 + PacketSize)[..(1 + PacketSize)];
        span[0] = 3;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], 0);
        RandomNumberGenerator.Fill(span[9..]);
        output.Advance(1 + PacketSize);
    }

    /// <summary>Reads S0+S1+S2 and writes C2. Returns false when more bytes are needed.</summary>
    public static bool TryComplete(ref ReadOnlySequence<byte> buffer, IBufferWriter<byte> output)
    {
        if (buffer.Length < 1 + (2 * PacketSize))
        {
            return false;
        }

        byte version = buffer.FirstSpan[0];
        if (version != 3)
        {
            throw new RtmpProtocolException($"server answered handshake version {version}, expected 3");
        }

        var c2 = output.GetSpan(PacketSize)[..PacketSize];
        buffer.Slice(1, PacketSize).CopyTo(c2);
        output.Advance(PacketSize);
        buffer = buffer.Slice(1 + (2 * PacketSize));
        return true;
    }
}
