using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using Stagecast.Media.Rtp;
using Stagecast.WebRtc.Rtp;
using Stagecast.WebRtc.Sdp;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// A forwarded VP8 track switching sources, as a RealtimeKit consumer does between the simulcast layers of one camera:
/// each layer has its own sequence numbers, timestamps, picture ids and TL0PICIDX, and the receiver must see them all
/// carry on.
/// </summary>
public sealed class ForwardedTrackTests
{
    private const uint Ssrc = 0x5151;

    [Fact]
    public void AfterARestartTheNextKeyframeCarriesOnTheNumbersTimestampsAndPictureIds()
    {
        var time = new FakeTimeProvider();
        var track = new ForwardedTrack(new RtpCodec(96, "VP8", 90000, 0), Ssrc, video: true, time);
        var first = Forward(track, Vp8(sequence: 100, timestamp: 1_000_000, pictureId: 500, tl0: 40, keyframe: true))!.Value;
        var second = Forward(track, Vp8(sequence: 101, timestamp: 1_003_000, pictureId: 501, tl0: 40, keyframe: false))!.Value;
        Assert.Equal((first.Sequence + 1, first.Timestamp + 3000u, 501, 40), (second.Sequence, second.Timestamp, second.PictureId, second.Tl0));

        // Another layer, 100 ms on: its delta frames wait for its keyframe, which follows the last picture sent.
        track.Restart();
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Null(Forward(track, Vp8(sequence: 9000, timestamp: 77, pictureId: 32766, tl0: 3, keyframe: false)));
        var switched = Forward(track, Vp8(sequence: 9001, timestamp: 3077, pictureId: 32767, tl0: 3, keyframe: true))!.Value;
        Assert.Equal((second.Sequence + 1, second.Timestamp + 9000u, 502, 41), (switched.Sequence, switched.Timestamp, switched.PictureId, switched.Tl0));
        var after = Forward(track, Vp8(sequence: 9002, timestamp: 6077, pictureId: 0, tl0: 4, keyframe: false))!.Value; // its picture id wraps at 15 bits
        Assert.Equal((switched.Sequence + 1, switched.Timestamp + 3000u, 503, 42), (after.Sequence, after.Timestamp, after.PictureId, after.Tl0));
        Assert.Equal(switched.Timestamp + 3000u, track.Timestamp(6077)); // sender reports are mapped the same way
    }

    [Fact]
    public void WithoutATimeProviderOnlyTheSequenceNumbersCarryOn()
    {
        var track = new ForwardedTrack(new RtpCodec(96, "VP8", 90000, 0), Ssrc, video: true);
        var first = Forward(track, Vp8(sequence: 100, timestamp: 1_000_000, pictureId: 500, tl0: 40, keyframe: true))!.Value;
        track.Restart();
        var next = Forward(track, Vp8(sequence: 7, timestamp: 77, pictureId: 9, tl0: 3, keyframe: true))!.Value;
        Assert.Equal((first.Sequence + 1, 77u, 9, 3), (next.Sequence, next.Timestamp, next.PictureId, next.Tl0));
    }

    [Fact]
    public void ThePublishersPaddingIsNotForwardedAndTheNumbersCloseOverIt()
    {
        // Chrome probes its uplink with padding-only packets on a video SSRC when it has no RTX to probe with: a subscriber
        // on a narrow link was sent a 320x180 layer at 300 kbit/s, most of it padding.
        var track = new ForwardedTrack(new RtpCodec(96, "VP8", 90000, 0), Ssrc, video: true);
        var first = Forward(track, Vp8(sequence: 100, timestamp: 1_000, pictureId: 1, tl0: 1, keyframe: true))!.Value;
        Assert.Null(Forward(track, Padding(sequence: 101)));
        Assert.Null(Forward(track, Padding(sequence: 102)));
        var next = Forward(track, Vp8(sequence: 103, timestamp: 4_000, pictureId: 2, tl0: 1, keyframe: false))!.Value;
        Assert.Equal(first.Sequence + 1, next.Sequence);

        // A packet that comes late (a retransmission) goes where it would have gone in order, padding dropped after it or not.
        Assert.Equal(first.Sequence - 1, Forward(track, Vp8(sequence: 99, timestamp: 0, pictureId: 0, tl0: 1, keyframe: false))!.Value.Sequence);
        Assert.Equal(first.Sequence, Forward(track, Vp8(sequence: 100, timestamp: 1_000, pictureId: 1, tl0: 1, keyframe: true))!.Value.Sequence);

        // Our own probe between two frames takes a number; the source's numbers go on after it, and a late one before it.
        Assert.True(track.TryPad(new byte[RtpHeader.FixedLength + 4], 4, out ushort pad) > 0);
        Assert.Equal(next.Sequence + 1, pad);
        Assert.Equal(next.Sequence + 2, Forward(track, Vp8(sequence: 104, timestamp: 7_000, pictureId: 3, tl0: 1, keyframe: false))!.Value.Sequence);
        Assert.Equal(next.Sequence, Forward(track, Vp8(sequence: 103, timestamp: 4_000, pictureId: 2, tl0: 1, keyframe: false))!.Value.Sequence);
        Assert.True(RtpHeader.IsPaddingOnly(Padding(sequence: 1)));
        Assert.False(RtpHeader.IsPaddingOnly(Vp8(sequence: 1, timestamp: 0, pictureId: 0, tl0: 0, keyframe: false)));
    }

    [Fact]
    public void APausedTrackPadsEvenAfterAFrameItCutShortAndItsNextKeyframeComesAfterThePadding()
    {
        // A connection whose video is all paused can only find room again by probing on a paused track: once a track has
        // sent, it pads while it waits for a keyframe, though the frame it left was never finished.
        var track = new ForwardedTrack(new RtpCodec(96, "VP8", 90000, 0), Ssrc, video: true);
        var into = new byte[RtpHeader.FixedLength + 4];
        Assert.Equal(0, track.TryPad(into, 4, out _)); // nothing sent yet: no numbers to carry on
        var first = Forward(track, Vp8(sequence: 100, timestamp: 1_000, pictureId: 1, tl0: 1, keyframe: true))!.Value;
        var cut = Vp8(sequence: 101, timestamp: 4_000, pictureId: 2, tl0: 1, keyframe: false);
        cut[1] &= 0x7F; // no marker: the frame goes on in packets that will not come
        var inFrame = Forward(track, cut)!.Value;
        Assert.Equal(0, track.TryPad(into, 4, out _)); // sending, inside a frame: no

        track.Restart(); // paused
        Assert.True(track.TryPad(into, 4, out ushort pad) > 0);
        Assert.Equal((ushort)(inFrame.Sequence + 1), pad);
        Assert.True(track.TryPad(into, 4, out ushort second) > 0);
        Assert.Equal((ushort)(pad + 1), second);
        Assert.Equal(4_000u, BinaryPrimitives.ReadUInt32BigEndian(into.AsSpan(4))); // the last timestamp sent

        var resumed = Forward(track, Vp8(sequence: 5000, timestamp: 90_000, pictureId: 9, tl0: 2, keyframe: true))!.Value;
        Assert.Equal((ushort)(second + 1), (ushort)resumed.Sequence);
        Assert.Equal((ushort)(first.Sequence + 4), (ushort)resumed.Sequence);
    }

    /// <summary>A padding-only packet: P set, four bytes of padding (the last one says so), no payload.</summary>
    private static byte[] Padding(ushort sequence)
    {
        var packet = new byte[RtpHeader.FixedLength + 4];
        RtpHeader.Write(packet, marker: false, 100, sequence, 0, 0x1234);
        packet[0] |= 0x20;
        packet[^1] = 4;
        return packet;
    }

    private static (int Sequence, uint Timestamp, int PictureId, int Tl0)? Forward(ForwardedTrack track, byte[] packet)
    {
        var into = new byte[packet.Length];
        if (!track.TryRewrite(packet, RtpHeader.FixedLength, into, out ushort sequence))
        {
            return null;
        }

        Assert.Equal(Ssrc, BinaryPrimitives.ReadUInt32BigEndian(into.AsSpan(8)));
        Assert.Equal(sequence, BinaryPrimitives.ReadUInt16BigEndian(into.AsSpan(2)));
        var descriptor = into.AsSpan(RtpHeader.FixedLength);
        return (sequence, BinaryPrimitives.ReadUInt32BigEndian(into.AsSpan(4)), ((descriptor[2] & 0x7F) << 8) | descriptor[3], descriptor[4]);
    }

    /// <summary>A VP8 packet starting a frame (RFC 7741): X, S; I and L, a 15-bit picture id and TL0PICIDX; then the frame's first byte.</summary>
    private static byte[] Vp8(ushort sequence, uint timestamp, int pictureId, int tl0, bool keyframe)
    {
        var packet = new byte[RtpHeader.FixedLength + 6 + 10];
        RtpHeader.Write(packet, marker: true, 100, sequence, timestamp, 0x1234);
        var payload = packet.AsSpan(RtpHeader.FixedLength);
        payload[0] = 0x90; // X, S, partition 0
        payload[1] = 0xC0; // I, L
        payload[2] = (byte)(0x80 | (pictureId >> 8));
        payload[3] = (byte)pictureId;
        payload[4] = (byte)tl0;
        payload[5] = keyframe ? (byte)0x10 : (byte)0x11; // the frame tag's P bit: 0 for a keyframe
        return packet;
    }
}
