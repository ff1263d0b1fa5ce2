using System.Buffers.Binary;
using Stagecast.Media.Rtp;
using Stagecast.Testing.WebRtc;

namespace Stagecast.WebRtc.Tests;

/// <summary>
/// RTP as a WebRTC publisher sends it, small enough to tell apart: H.264 single NAL unit packets (an IDR slice starts
/// a keyframe) and Opus packets with their level (RFC 6464, one-byte header extension). Each payload carries a tag.
/// </summary>
public static class TestRtp
{
    public const uint VideoSsrc = 0x11111111;
    public const uint AudioSsrc = 0x22222222;

    /// <summary>
    /// A picture in one packet: an IDR slice (NAL type 5) or a non-IDR one (type 1), with the tag after its NAL header;
    /// with <paramref name="transportSequence"/>, it carries that transport-wide sequence number (a one-byte header
    /// extension element under <see cref="WhipClient.TransportWideCcExtensionId"/>).
    /// </summary>
    public static byte[] Video(ushort sequence, bool keyframe, int tag, ushort? transportSequence = null)
    {
        int extension = transportSequence is null ? 0 : 8;
        var packet = new byte[RtpHeader.FixedLength + extension + 1 + 4 + 100];
        RtpHeader.Write(packet, marker: true, WhipClient.VideoPayloadType, sequence, (uint)(sequence * 3000), VideoSsrc);
        if (transportSequence is { } transport)
        {
            packet[0] |= 0x10;
            BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(RtpHeader.FixedLength), 0xBEDE0001);
            packet[RtpHeader.FixedLength + 4] = (WhipClient.TransportWideCcExtensionId << 4) | 1; // two bytes
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(RtpHeader.FixedLength + 5), transport);
        }

        packet[RtpHeader.FixedLength + extension] = keyframe ? (byte)0x65 : (byte)0x41;
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(RtpHeader.FixedLength + extension + 1), tag);
        return packet;
    }

    /// <summary>A 20 ms Opus packet (a silence frame's TOC) at <paramref name="level"/> -dBov, with the tag after it.</summary>
    public static byte[] Audio(ushort sequence, int level, int tag)
    {
        var packet = new byte[RtpHeader.FixedLength + 8 + 1 + 4];
        RtpHeader.Write(packet, marker: false, WhipClient.AudioPayloadType, sequence, (uint)(sequence * 960), AudioSsrc);
        packet[0] |= 0x10; // X: one header extension block (RFC 8285 4.2): 0xBEDE, one word, id and length 0, the level, padding
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(RtpHeader.FixedLength), 0xBEDE0001);
        packet[RtpHeader.FixedLength + 4] = (byte)(WhipClient.AudioLevelExtensionId << 4);
        packet[RtpHeader.FixedLength + 5] = (byte)(0x80 | level);
        packet[RtpHeader.FixedLength + 8] = 0xF8; // config 31 (CELT FB 20 ms), mono, one frame
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(RtpHeader.FixedLength + 9), tag);
        return packet;
    }

    /// <summary>The tag of a packet these helpers wrote (after its NAL header or Opus TOC).</summary>
    public static int Tag(ReadOnlySpan<byte> packet) =>
        RtpHeader.TryGetLength(packet, out int header) ? BinaryPrimitives.ReadInt32BigEndian(packet[(header + 1)..]) : -1;
}
