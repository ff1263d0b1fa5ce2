using Microsoft.Extensions.Time.Testing;
using Stagecast.Media.Codecs.H264;
using Stagecast.Media.Codecs.Opus;
using Stagecast.Media.Rtp;
using Stagecast.Streaming.Rtp;
using Stagecast.Testing;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;

namespace Stagecast.WebRtc.Tests;

/// <summary>RTP and RTCP parsing on golden bytes, H.264 packetization both ways, the jitter buffer, and Ogg/Opus framing.</summary>
public sealed class RtpTests
{
    [Fact]
    public void RtpHeaderWithCsrcsAndExtensionIsMeasured()
    {
        // V=2 X=1 CC=1, M=1 PT=96, seq 0x1234, ts 0xdecafbad, ssrc 0xcafebabe, one CSRC, one-word extension.
        byte[] packet = Hex.Parse("91e01234decafbadcafebabe" + "00000001" + "bede0001" + "10ff0000" + "abcd");
        Assert.True(RtpHeader.TryGetLength(packet, out int length));
        Assert.Equal(24, length);
        Assert.True(RtpHeader.Marker(packet));
        Assert.Equal(96, RtpHeader.PayloadType(packet));
        Assert.Equal(0x1234, RtpHeader.SequenceNumber(packet));
        Assert.Equal(0xdecafbadu, RtpHeader.Timestamp(packet));
        Assert.Equal(0xcafebabeu, RtpHeader.Ssrc(packet));
        for (int cut = 0; cut < 24; cut++)
        {
            Assert.False(RtpHeader.TryGetLength(packet.AsSpan(0, cut), out _));
        }
    }

    [Fact]
    public void ThePayloadLiesBetweenTheHeaderAndThePaddingAndPaddingIntoTheHeaderIsRefused()
    {
        Assert.True(RtpHeader.TryGetPayload(Hex.Parse("8060000100000000cafebabe" + "abcd"), out var plain));
        Assert.Equal([0xab, 0xcd], plain.ToArray());

        // P=1: the last byte counts the padding, itself included.
        Assert.True(RtpHeader.TryGetPayload(Hex.Parse("a060000100000000cafebabe" + "abcd" + "000003"), out var padded));
        Assert.Equal([0xab, 0xcd], padded.ToArray());
        Assert.True(RtpHeader.TryGetPayload(Hex.Parse("a060000100000000cafebabe" + "0002"), out var onlyPadding));
        Assert.True(onlyPadding.IsEmpty);

        // Padding longer than what follows the header (a hostile or broken sender) is no payload, not an exception.
        Assert.False(RtpHeader.TryGetPayload(Hex.Parse("a060000100000000cafebabe" + "abff"), out _));
        Assert.False(RtpHeader.TryGetPayload(Hex.Parse("a06000"), out _));
    }

    [Fact]
    public void RtcpCompoundPacketsAreWalkedAndNacksExpanded()
    {
        Span<byte> buffer = stackalloc byte[256];
        int length = RtcpWriter.EmptyReceiverReport(buffer, 1);
        length += RtcpWriter.Pli(buffer[length..], 1, 2);
        length += RtcpWriter.Nack(buffer[length..], 1, 2, [100, 101, 105, 116, 117, 200]);
        length += RtcpWriter.Remb(buffer[length..], 1, 2_500_000, [2, 3]);
        var reader = new RtcpReader(buffer[..length]);
        var types = new List<(byte, byte)>();
        var nacked = new List<ushort>();
        Span<ushort> lost = stackalloc ushort[64];
        while (reader.TryRead(out var packet))
        {
            types.Add((packet.Type, packet.Format));
            if (packet.IsNack)
            {
                nacked.AddRange(lost[..packet.NackedSequences(lost)].ToArray());
                Assert.Equal(2u, packet.MediaSsrc);
            }
        }

        Assert.Equal([(201, 0), (206, 1), (205, 1), (206, 15)], types);
        Assert.Equal([100, 101, 105, 116, 117, 200], nacked);

        // A length field pointing past the end stops the walk.
        byte[] broken = buffer[..length].ToArray();
        broken[3] = 0xff;
        var hostile = new RtcpReader(broken);
        Assert.False(hostile.TryRead(out _));
    }

    [Fact]
    public void H264AccessUnitsSurvivePacketizationWithSingleNalsStapAAndFuA()
    {
        byte[] sps = Hex.Parse("6742c01fda0140169b0d41010140000003004000000c83c60ca8");
        byte[] pps = Hex.Parse("68ce3c80");
        var idr = new byte[5000];
        idr[0] = 0x65;
        Random.Shared.NextBytes(idr.AsSpan(1));
        var sei = new byte[] { 0x06, 0x05, 0x01, 0xff, 0x80 };
        byte[] accessUnit = [.. Length(sei), .. sei, .. Length(idr), .. idr];

        var payloads = new List<(byte[] Payload, bool Marker)>();
        H264RtpPacketizer.Packetize(accessUnit, 4, 1200, sps, pps, keyframe: true, (payload, marker) => payloads.Add((payload.ToArray(), marker)));
        Assert.Equal(24, payloads[0].Payload[0] & 0x1F); // STAP-A with SPS and PPS first
        Assert.Equal(28, payloads[^1].Payload[0] & 0x1F); // the IDR split into FU-A
        Assert.True(payloads[^1].Marker);
        Assert.All(payloads, p => Assert.True(p.Payload.Length <= 1200));

        var depacketizer = new H264RtpDepacketizer();
        H264AccessUnit? unit = null;
        foreach (var (payload, marker) in payloads)
        {
            unit = depacketizer.Push(payload, 3000, marker) ?? unit;
        }

        Assert.NotNull(unit);
        Assert.True(unit.Value.IsKeyframe);
        Assert.Equal(accessUnit, unit.Value.Buffer.AsSpan(0, unit.Value.Length).ToArray());
        Assert.Equal(sps, depacketizer.Sps);
        Assert.Equal(pps, depacketizer.Pps);

        // A lost fragment drops the unit and everything up to the next IDR.
        depacketizer.Discontinuity();
        var lossy = new H264RtpDepacketizer();
        H264AccessUnit? partial = null;
        for (int i = 0; i < payloads.Count; i++)
        {
            if (i != 2)
            {
                partial = lossy.Push(payloads[i].Payload, 6000, payloads[i].Marker) ?? partial;
            }
        }

        Assert.Null(partial);
        Assert.True(lossy.WaitingForKeyframe);

        // Packets lost after a unit's last one: the next IDR, whole, is delivered (not dropped as the broken unit).
        var between = new H264RtpDepacketizer();
        foreach (var (payload, marker) in payloads)
        {
            _ = between.Push(payload, 3000, marker);
        }

        between.Discontinuity();
        H264AccessUnit? next = null;
        foreach (var (payload, marker) in payloads)
        {
            next = between.Push(payload, 9000, marker) ?? next;
        }

        Assert.True(next?.IsKeyframe, "the IDR after the loss was dropped");
    }

    [Fact]
    public void JitterBufferReordersAndReportsWhatIsMissing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero));
        var buffer = new JitterBuffer(64, TimeSpan.FromMilliseconds(100), time);
        var delivered = new List<(ushort, bool)>();
        void Drain() => buffer.Drain((packet, gap) => delivered.Add((RtpHeader.SequenceNumber(packet), gap)));

        foreach (ushort sequence in new ushort[] { 65534, 65535, 1, 2 })
        {
            buffer.Push(Packet(sequence));
            Drain();
        }

        Assert.Equal([(65534, false), (65535, false)], delivered); // 0 is missing: 1 and 2 wait
        Span<ushort> missing = stackalloc ushort[8];
        Assert.Equal(1, buffer.Missing(missing));
        Assert.Equal(0, missing[0]);

        buffer.Push(Packet(0)); // the retransmission arrives
        Drain();
        Assert.Equal([(65534, false), (65535, false), (0, false), (1, false), (2, false)], delivered);
        Assert.False(buffer.Push(Packet(1))); // duplicate

        buffer.Push(Packet(5));
        Drain();
        Assert.Equal(5, delivered.Count);
        time.Advance(TimeSpan.FromMilliseconds(150));
        Drain();
        Assert.Equal((5, true), delivered[^1]); // 3 and 4 given up after the wait
        Assert.Equal(2, buffer.Lost);

        // A packet far ahead (a long outage): what waited is given up, and the first delivered after the jump says so,
        // so a decoder does not take the next frame for the one after those it had.
        buffer.Push(Packet(7)); // 6 missing: 7 waits
        buffer.Push(Packet(200));
        Drain();
        Assert.Equal((200, true), delivered[^1]);
        buffer.Push(Packet(201));
        Drain();
        Assert.Equal((201, false), delivered[^1]);
    }

    [Fact]
    public void OggOpusPagesRoundTripWithGranules()
    {
        var writer = new OggOpusWriter();
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        writer.WriteHeaders(output);
        byte[] packet = [0xfc, 1, 2, 3]; // CELT 20 ms, one frame
        Assert.Equal(960, OpusPacket.SampleCount(packet));
        writer.WritePacket(output, packet, 960);
        writer.WritePacket(output, new byte[300], 1920);

        var reader = new OggPageReader();
        var sequence = new System.Buffers.ReadOnlySequence<byte>(output.WrittenMemory);
        var packets = new List<(int Length, long Granule)>();
        while (reader.TryReadPage(ref sequence, (p, g) => packets.Add((p.Length, g))))
        {
        }

        Assert.Equal(4, packets.Count);
        Assert.Equal((4, 960 + 312), packets[2]);
        Assert.Equal((300, 1920 + 312), packets[3]);

        // Ogg's CRC over a page with the CRC field zeroed matches what the page carries.
        byte[] page = output.WrittenSpan[..47].ToArray();
        uint carried = BitConverter.ToUInt32(page, 22);
        page[22] = page[23] = page[24] = page[25] = 0;
        Assert.Equal(carried, OggOpusWriter.Crc(page));
    }

    private static byte[] Length(byte[] nal) => [(byte)(nal.Length >> 24), (byte)(nal.Length >> 16), (byte)(nal.Length >> 8), (byte)nal.Length];

    private static byte[] Packet(ushort sequence)
    {
        var packet = new byte[20];
        RtpHeader.Write(packet, false, 96, sequence, 0, 1);
        return packet;
    }
}

/// <summary>Streaming and datagram parsers fed one byte at a time, and every prefix of golden packets.</summary>
public sealed class IncrementalParsingTests
{
    [Fact]
    public void OggPagesFedOneByteAtATimeGiveTheSamePackets()
    {
        var writer = new OggOpusWriter();
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        writer.WriteHeaders(output);
        for (int i = 0; i < 5; i++)
        {
            writer.WritePacket(output, new byte[100 + (i * 200)], 960 * (i + 1));
        }

        byte[] bytes = output.WrittenSpan.ToArray();
        var reader = new OggPageReader();
        var packets = new List<(int, long)>();
        var pending = new List<byte>();
        foreach (byte b in bytes)
        {
            pending.Add(b);
            var sequence = new System.Buffers.ReadOnlySequence<byte>(pending.ToArray());
            while (reader.TryReadPage(ref sequence, (p, g) => packets.Add((p.Length, g))))
            {
            }

            pending = [.. System.Buffers.BuffersExtensions.ToArray(sequence)];
        }

        Assert.Empty(pending);
        Assert.Equal(7, packets.Count);
        Assert.Equal((900, (960 * 5) + 312), packets[^1]);
    }

    [Fact]
    public void DtlsRecordsAreToldFromOtherPacketsByTheirHeader()
    {
        // A ClientHello record header: content type 22, version DTLS 1.0 (0xfeff), epoch 0, sequence 0, length.
        byte[] clientHello = Hex.Parse("16feff00000000000000000010" + "01000004000000000000000000000000");
        Assert.True(Dtls.DtlsSession.IsRecord(clientHello));
        for (int length = 0; length < 13; length++)
        {
            Assert.False(Dtls.DtlsSession.IsRecord(clientHello.AsSpan(0, length)));
        }

        Assert.False(Dtls.DtlsSession.IsRecord(Hex.Parse("16030100000000000000000010"))); // TLS, not DTLS
        Assert.False(Dtls.DtlsSession.IsRecord(Hex.Parse("800f1234decafbadcafebabe00")));
    }

    [Fact]
    public void EveryPrefixOfAnRtcpCompoundPacketIsWalkedSafely()
    {
        Span<byte> buffer = stackalloc byte[128];
        int length = RtcpWriter.SenderReport(buffer, 1, 2, 3, 4, 5);
        length += RtcpWriter.Nack(buffer[length..], 1, 2, [7, 9]);
        byte[] packet = buffer[..length].ToArray();
        for (int cut = 0; cut <= packet.Length; cut++)
        {
            var reader = new RtcpReader(packet.AsSpan(0, cut));
            int count = 0;
            while (reader.TryRead(out _))
            {
                count++;
            }

            Assert.Equal(cut < 28 ? 0 : cut < packet.Length ? 1 : 2, count);
        }
    }

    [Fact]
    public void AForwardedPacketsExtensionsAreReplacedByTheTransportWideNumberWhichIsStampedAsItGoes()
    {
        // A publisher's packet: one CSRC, its own extensions (audio level id 1, mid id 4), a 3-byte payload.
        byte[] packet = Hex.Parse("918f0001000000640000000a0000000b" + "bede0002" + "10aa4330" + "00000000" + "c0ffee");
        Assert.True(RtpHeader.TryGetLength(packet, out int headerLength));
        var written = new byte[packet.Length + RtpExtensions.TransportSequenceBlock];
        int length = RtpExtensions.WriteWithTransportSequence(packet, headerLength, 3, written);

        Assert.Equal("918f0001000000640000000a0000000b" + "bede0001" + "31000000" + "c0ffee", Convert.ToHexStringLower(written.AsSpan(0, length)));
        Assert.False(RtpExtensions.TryFind(written.AsSpan(0, length), 1, out _));
        Assert.True(RtpExtensions.TryStampTransportSequence(written.AsSpan(0, length), 3, 0xABCD));
        Assert.True(RtpExtensions.TryFind(written.AsSpan(0, length), 3, out var number));
        Assert.Equal("abcd", Convert.ToHexStringLower(number));

        // Any other packet is left as it is: another id, or a publisher's own extensions.
        Assert.False(RtpExtensions.TryStampTransportSequence(written.AsSpan(0, length), 5, 1));
        Assert.False(RtpExtensions.TryStampTransportSequence(packet, 1, 1));
        Assert.Equal("10aa4330", Convert.ToHexStringLower(packet.AsSpan(20, 4)));
    }
}
