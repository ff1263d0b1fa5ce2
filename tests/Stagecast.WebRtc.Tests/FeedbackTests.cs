using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Media.Rtp;
using Stagecast.Streaming.Rtp;
using Stagecast.Testing;
using Stagecast.WebRtc.Rtcp;
using Stagecast.WebRtc.Rtp;

namespace Stagecast.WebRtc.Tests;

/// <summary>The RTP and RTCP behaviours, each on bytes and a fake clock: what they write, and when.</summary>
public sealed class FeedbackTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TheNackGeneratorAsksForWhatTheJitterBufferMisses()
    {
        var time = new FakeTimeProvider(Start);
        var buffer = new JitterBuffer(64, TimeSpan.FromMilliseconds(150), time);
        var nacks = new NackGenerator(senderSsrc: 0x11111111);
        Span<byte> rtcp = stackalloc byte[256];

        buffer.Push(RtpPacket(100));
        Assert.Equal(0, nacks.Write(rtcp, 0x22222222, buffer)); // nothing missing, nothing written

        buffer.Push(RtpPacket(103));
        int length = nacks.Write(rtcp, 0x22222222, buffer);
        // Generic NACK (RFC 4585 6.2.1): V=2 FMT=1, PT=205, length 3 words, sender, media, PID=101 BLP=bit 0 (102).
        Assert.Equal("81cd0003" + "11111111" + "22222222" + "00650001", Hex.Of(rtcp[..length]));
        Assert.Equal(2, nacks.Requested);
    }

    [Fact]
    public void TheNackResponderResendsWhatItStillHoldsExactlyAsSent()
    {
        var history = new SendHistory(TimeProvider.System, capacity: 4);
        var responder = new NackResponder(history, mediaSsrc: 0x22222222);
        for (ushort sequence = 10; sequence < 16; sequence++)
        {
            history.Add(sequence, RtpPacket(sequence, payloadByte: (byte)sequence));
        }

        var resent = new List<string>();
        Span<byte> rtcp = stackalloc byte[64];
        int length = RtcpWriter.Nack(rtcp, 0x11111111, 0x22222222, [10, 11, 14]);
        var reader = new RtcpReader(rtcp[..length]);
        Assert.True(reader.TryRead(out var nack));
        Assert.Equal(1, responder.Respond(nack, packet => resent.Add(Hex.Of(packet))));
        // 10 and 11 were overwritten (four slots); 14 goes out as it was sent.
        Assert.Equal([Hex.Of(RtpPacket(14, payloadByte: 14))], resent);

        // A NACK about another track, or other feedback, sends nothing.
        length = RtcpWriter.Nack(rtcp, 0x11111111, 0x33333333, [14]);
        reader = new RtcpReader(rtcp[..length]);
        Assert.True(reader.TryRead(out var other));
        Assert.Equal(0, responder.Respond(other, _ => Assert.Fail("sent for another track")));
        Assert.Equal(1, responder.Retransmitted);
    }

    [Fact]
    public void TheSendHistoryGrowsToHoldASecondOfPacketsAndNoMore()
    {
        // A 600 kbit/s camera: 62 packets of 1,200 bytes a second. The history held 512 slots of an MTU (768 KB) once
        // its first 512 packets had gone, whatever the bitrate; now it starts with 64 and doubles while a packet would
        // overwrite one sent within the second.
        var time = new FakeTimeProvider(Start);
        var history = new SendHistory(time);
        var packet = new byte[1200];
        ushort sequence = 0;
        void Send(int packets, TimeSpan apart)
        {
            for (int i = 0; i < packets; i++, sequence++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
                history.Add(sequence, packet);
                time.Advance(apart);
            }
        }

        Send(620, TimeSpan.FromMilliseconds(16));
        Assert.Equal(64, history.Capacity); // 64 packets are 1.02 s: never one overwritten within the second

        // Within the slots, a NACKed packet is there as it was sent; past them, gone.
        var copy = new byte[1500];
        Assert.Equal(1200, history.CopyTo((ushort)(sequence - 60), copy));
        Assert.Equal((ushort)(sequence - 60), BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(2)));
        Assert.Equal(0, history.CopyTo((ushort)(sequence - 70), copy));

        // Twice the rate: the ring doubles, and every packet of the last second is still there after the move.
        Send(200, TimeSpan.FromMilliseconds(8));
        Assert.Equal(128, history.Capacity);
        for (int back = 1; back <= 120; back++)
        {
            Assert.Equal((ushort)(sequence - back), history.CopyTo((ushort)(sequence - back), copy) > 0 ? BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(2)) : -1);
        }

        // A 2.5 Mbit/s burst grows it to its capacity and no further.
        Send(3000, TimeSpan.FromMilliseconds(1));
        Assert.Equal(SendHistory.DefaultCapacity, history.Capacity);
    }

    [Fact]
    public void OnARetransmissionStreamTheNackResponderResendsEachPacketWithItsOriginalSequenceNumberFirst()
    {
        var history = new SendHistory(TimeProvider.System, capacity: 8);
        var rtx = new RetransmissionStream(payloadType: 97, ssrc: 0x44444444);
        var responder = new NackResponder(history, mediaSsrc: 0x22222222, rtx);
        history.Add(14, RtpPacket(14, payloadByte: 0xAB));
        history.Add(15, RtpPacket(15, payloadByte: 0xCD));
        Span<byte> rtcp = stackalloc byte[64];
        int length = RtcpWriter.Nack(rtcp, 0x11111111, 0x22222222, [14, 15]);
        var reader = new RtcpReader(rtcp[..length]);
        Assert.True(reader.TryRead(out var nack));

        // Not taken by the receiver yet: sent again as they were.
        var resent = new List<byte[]>();
        Assert.Equal(2, responder.Respond(nack, packet => resent.Add(packet.ToArray())));
        Assert.Equal(RtpPacket(14, payloadByte: 0xAB), resent[0]);

        // Taken: each goes on the stream's payload type, SSRC and next sequence number, the marker bit kept, its
        // original sequence number (RFC 4588's OSN) ahead of the payload.
        rtx.Enabled = true;
        resent.Clear();
        Assert.Equal(2, responder.Respond(nack, packet => resent.Add(packet.ToArray())));
        var original = RtpPacket(14, payloadByte: 0xAB);
        Assert.All(resent, p => Assert.Equal(original.Length + RetransmissionStream.Overhead, p.Length));
        Assert.Equal((byte)((original[1] & 0x80) | 97), resent[0][1]);
        Assert.Equal(0x44444444u, BinaryPrimitives.ReadUInt32BigEndian(resent[0].AsSpan(8)));
        Assert.Equal((ushort)(BinaryPrimitives.ReadUInt16BigEndian(resent[0].AsSpan(2)) + 1), BinaryPrimitives.ReadUInt16BigEndian(resent[1].AsSpan(2)));
        Assert.Equal([(ushort)14, (ushort)15], resent.Select(p => BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(12))));
        Assert.Equal(original.AsSpan(12).ToArray(), resent[0].AsSpan(14).ToArray());
        Assert.Equal(4, responder.Retransmitted);
    }

    [Fact]
    public void TheKeyframeRequesterAsksWhenWantedAndOnTheIntervalAtMostTwiceASecond()
    {
        var time = new FakeTimeProvider(Start);
        var keyframes = new KeyframeRequester(time, keyframeInterval: TimeSpan.FromSeconds(2));
        Span<byte> rtcp = stackalloc byte[32];

        // Wanted from the start: a PLI (RFC 4585 6.3.1: FMT=1, PT=206, 2 words).
        int length = keyframes.WriteIfDue(rtcp, 0x11111111, 0x22222222, decoderWaiting: false);
        Assert.Equal("81ce0002" + "11111111" + "22222222", Hex.Of(rtcp[..length]));

        // Asked again at once: held back by the 500 ms limit, then sent.
        Assert.Equal(0, keyframes.WriteIfDue(rtcp, 0x11111111, 0x22222222, decoderWaiting: true));
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(12, keyframes.WriteIfDue(rtcp, 0x11111111, 0x22222222, decoderWaiting: true));

        // A keyframe came: nothing is due until the interval (2 s, asked 250 ms early) has passed.
        keyframes.KeyframeArrived();
        time.Advance(TimeSpan.FromMilliseconds(1700));
        Assert.Equal(0, keyframes.WriteIfDue(rtcp, 0x11111111, 0x22222222, decoderWaiting: false));
        time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(12, keyframes.WriteIfDue(rtcp, 0x11111111, 0x22222222, decoderWaiting: false));

        // A viewer's request after a keyframe is wanted again.
        keyframes.KeyframeArrived();
        time.Advance(TimeSpan.FromMilliseconds(600));
        keyframes.Request();
        Assert.Equal(12, keyframes.WriteIfDue(rtcp, 0x11111111, 0x22222222, decoderWaiting: false));
        Assert.Equal(4, keyframes.Sent);
    }

    [Fact]
    public void TheRembSenderCapsThePublisherOnceASecond()
    {
        var time = new FakeTimeProvider(Start);
        var remb = new RembSender(time, bitsPerSecond: 6_000_000);
        Span<byte> rtcp = stackalloc byte[64];
        Assert.Equal(0, remb.WriteIfDue(rtcp, 0x11111111, [])); // no tracks yet
        int length = remb.WriteIfDue(rtcp, 0x11111111, [0x22222222, 0x33333333]);
        // REMB: PSFB FMT=15, media SSRC 0, "REMB", 2 SSRCs, then 6 bits of exponent and 18 of mantissa: 187500 << 5 = 6 Mbit/s.
        Assert.Equal("8fce0006" + "11111111" + "00000000" + "52454d42" + "02" + ((5 << 18) | 187_500).ToString("x6") + "22222222" + "33333333", Hex.Of(rtcp[..length]));
        time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.Equal(0, remb.WriteIfDue(rtcp, 0x11111111, [0x22222222]));
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(remb.WriteIfDue(rtcp, 0x11111111, [0x22222222]) > 0);
    }

    [Fact]
    public void SenderReportsCountWhatWentOutAndTieRtpTimeToTheWallClock()
    {
        var reports = new SenderReporter();
        reports.Count(video: true, payloadBytes: 1000);
        reports.Count(video: true, payloadBytes: 200);
        reports.Count(video: false, payloadBytes: 80);
        Span<byte> rtcp = stackalloc byte[28];
        ulong ntp = SenderReporter.NtpTime(Start);
        int length = reports.Write(rtcp, video: true, 0x22222222, ntp, rtpTimestamp: 0x01020304);

        // SR (RFC 3550 6.4.1): PT=200, 6 words, SSRC, NTP, RTP time, 2 packets, 1200 octets.
        Assert.Equal("80c80006" + "22222222" + ntp.ToString("x16") + "01020304" + "00000002" + "000004b0", Hex.Of(rtcp[..length]));
        Assert.Equal((ulong)(Start.ToUnixTimeSeconds() + 2_208_988_800), ntp >> 32); // seconds since 1900
        Assert.Equal(0u, (uint)ntp); // a whole second: no fraction
        Assert.Equal(1u, reports.AudioPackets);
    }

    [Fact]
    public void BothTracksRtpTimesCountFromOneAnchor()
    {
        var time = new FakeTimeProvider(Start);
        var timeline = new RtpTimeline(time);
        Assert.Null(timeline.Now());
        uint video0 = timeline.Video(5_000); // the first media sent: the anchor
        uint audio0 = timeline.Audio(5_000);
        Assert.Equal(90_000u, timeline.Video(6_000) - video0); // one second later in media: 90 kHz
        Assert.Equal(48_000u, timeline.Audio(6_000) - audio0);

        time.Advance(TimeSpan.FromSeconds(2));
        var (video, audio) = timeline.Now()!.Value;
        Assert.Equal(180_000u, video - video0); // two seconds after the anchor on the wall clock
        Assert.Equal(96_000u, audio - audio0);
    }

    private static byte[] RtpPacket(ushort sequence, byte payloadByte = 0)
    {
        var packet = new byte[RtpHeader.FixedLength + 4];
        RtpHeader.Write(packet, false, 96, sequence, 1000, 0x22222222);
        packet.AsSpan(RtpHeader.FixedLength).Fill(payloadByte);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        return packet;
    }
}
