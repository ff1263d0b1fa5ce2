using System.Buffers;
using System.Buffers.Binary;
using Stagecast.Rtmp.Handshake;
using Stagecast.Testing;

namespace Stagecast.Rtmp.Tests;

public class HandshakeTests
{
    private const int Size = HandshakeDigest.PacketSize;

    [Fact]
    public void DigestOffsetsFollowBothSchemes()
    {
        var packet = new byte[Size];
        packet[8] = 200;
        packet[9] = 200;
        packet[10] = 200;
        packet[11] = 200; // sum 800 % 728 = 72
        packet[772] = 1;
        Assert.Equal(72 + 12, HandshakeDigest.DigestOffset(packet, 0));
        Assert.Equal(1 + 776, HandshakeDigest.DigestOffset(packet, 1));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SimpleHandshakeEchoesC1(bool byteAtATime)
    {
        byte[] c1 = RandomPacket(version: 0);
        var (response, handshake) = Run([3, .. c1, .. new byte[Size]], byteAtATime);
        Assert.True(handshake.IsComplete);
        Assert.False(handshake.UsedDigest);
        Assert.Equal(3, response[0]);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(response.AsSpan(5)));
        Assert.Equal(c1, response[(1 + Size)..]);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(0, true)]
    public void DigestHandshakeSignsS1AndS2(int scheme, bool byteAtATime)
    {
        // A C1 like ffmpeg's: a client version and a digest keyed with the Flash Player key.
        byte[] c1 = RandomPacket(version: 0x80000702);
        HandshakeDigest.Sign(c1, scheme, HandshakeDigest.ClientKey.AsSpan(0, HandshakeDigest.ClientKeyPartialLength));
        int offset = HandshakeDigest.DigestOffset(c1, scheme);
        byte[] clientDigest = c1[offset..(offset + 32)];

        var (response, handshake) = Run([3, .. c1, .. new byte[Size]], byteAtATime);

        Assert.True(handshake.UsedDigest);
        byte[] s1 = response[1..(1 + Size)];
        byte[] s2 = response[(1 + Size)..];
        Assert.Equal(scheme, HandshakeDigest.FindScheme(s1, HandshakeDigest.ServerKey.AsSpan(0, HandshakeDigest.ServerKeyPartialLength), out _));
        Assert.True(HandshakeDigest.VerifyResponse(s2, clientDigest, HandshakeDigest.ServerKey));
    }

    [Fact]
    public void VersionedC1WithoutValidDigestFallsBackToEcho()
    {
        byte[] c1 = RandomPacket(version: 0x80000702);
        var (response, handshake) = Run([3, .. c1, .. new byte[Size]], byteAtATime: false);
        Assert.False(handshake.UsedDigest);
        Assert.Equal(c1, response[(1 + Size)..]);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(0x47)] // 'G' of an HTTP request
    public void WrongVersionIsRefusedImmediately(byte version)
    {
        var handshake = new ServerHandshake();
        var buffer = new ReadOnlySequence<byte>([version]);
        Assert.Throws<RtmpProtocolException>(() => handshake.TryAdvance(ref buffer, new ArrayBufferWriter<byte>()));
    }

    [Fact]
    public void ClientHandshakeAnswersWithS1()
    {
        var hello = new ArrayBufferWriter<byte>();
        ClientHandshake.WriteHello(hello);
        Assert.Equal(1 + Size, hello.WrittenCount);
        Assert.Equal(3, hello.WrittenSpan[0]);

        byte[] s1 = RandomPacket(version: 0);
        var buffer = new ReadOnlySequence<byte>([3, .. s1, .. new byte[Size]]);
        var c2 = new ArrayBufferWriter<byte>();
        Assert.True(ClientHandshake.TryComplete(ref buffer, c2));
        Assert.Equal(s1, c2.WrittenSpan.ToArray());
        Assert.Equal(0, buffer.Length);
    }

    private static (byte[] Response, ServerHandshake Handshake) Run(byte[] input, bool byteAtATime)
    {
        var handshake = new ServerHandshake();
        var output = new ArrayBufferWriter<byte>();
        if (byteAtATime)
        {
            // Grow the buffer one byte at a time, as a slow network would deliver it.
            var pending = new List<byte>();
            foreach (byte b in input)
            {
                pending.Add(b);
                var buffer = Bytes.Fragmented(pending.ToArray());
                long before = buffer.Length;
                handshake.TryAdvance(ref buffer, output);
                pending.RemoveRange(0, (int)(before - buffer.Length));
            }
        }
        else
        {
            var buffer = new ReadOnlySequence<byte>(input);
            handshake.TryAdvance(ref buffer, output);
            Assert.Equal(0, buffer.Length);
        }

        Assert.True(handshake.IsComplete);
        Assert.Equal(1 + (2 * Size), output.WrittenCount);
        return (output.WrittenSpan.ToArray(), handshake);
    }

    private static byte[] RandomPacket(uint version)
    {
        var packet = new byte[Size];
        Random.Shared.NextBytes(packet);
        BinaryPrimitives.WriteUInt32BigEndian(packet, 0);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), version);
        return packet;
    }
}
