using System.Buffers.Binary;
using Stagecast.Media.Codecs;

namespace Stagecast.Media.Flv;

/// <summary>
/// Parses the header of an FLV VIDEODATA body, legacy (FLV 10.1 E.4.3) or Enhanced RTMP (v1/v2 ExVideoTagHeader).
/// <code>
/// legacy:   4 FrameType | 4 CodecID (7 = AVC, 12 = HEVC) | u8 AVCPacketType | si24 CompositionTime | data
/// enhanced: 1 IsExHeader=1 | 3 FrameType | 4 PacketType | FourCC | [si24 CompositionTime: CodedFrames of avc1/hvc1] | data
/// </code>
/// </summary>
public static class FlvVideoTag
{
    private const int LegacyCodecAvc = 7;
    private const int LegacyCodecHevc = 12;

    // Enhanced RTMP VideoPacketType values.
    private const int SequenceStart = 0;
    private const int CodedFrames = 1;
    private const int SequenceEnd = 2;
    private const int CodedFramesX = 3;
    private const int Metadata = 4;

    public static FlvVideoPacket Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            ThrowHelper.Malformed("empty video tag");
        }

        byte first = body[0];
        return (first & 0x80) != 0 ? ParseEnhanced(body) : ParseLegacy(body);
    }

    private static FlvVideoPacket ParseLegacy(ReadOnlySpan<byte> body)
    {
        var frameType = (FlvFrameType)(body[0] >> 4);
        int codecId = body[0] & 0x0F;
        if (codecId is not (LegacyCodecAvc or LegacyCodecHevc) || frameType == FlvFrameType.Command)
        {
            return Unsupported(frameType, (uint)codecId);
        }

        if (body.Length < 5)
        {
            ThrowHelper.Malformed($"AVC video tag of {body.Length} bytes, at least 5 needed");
        }

        var codec = codecId == LegacyCodecAvc ? VideoCodec.H264 : VideoCodec.H265;
        uint fourCc = codecId == LegacyCodecAvc ? FourCc.Avc1 : FourCc.Hvc1;
        var kind = body[1] switch
        {
            0 => FlvPacketKind.SequenceStart,
            1 => FlvPacketKind.CodedFrames,
            2 => FlvPacketKind.SequenceEnd,
            _ => ThrowHelper.Malformed<FlvPacketKind>($"AVCPacketType {body[1]}"),
        };
        return new FlvVideoPacket(frameType, codec, kind, ReadSi24(body[2..]), 5, fourCc);
    }

    private static FlvVideoPacket ParseEnhanced(ReadOnlySpan<byte> body)
    {
        var frameType = (FlvFrameType)((body[0] >> 4) & 0x07);
        int packetType = body[0] & 0x0F;
        if (packetType != Metadata && frameType == FlvFrameType.Command)
        {
            return Unsupported(frameType, 0);
        }

        if (body.Length < 5)
        {
            ThrowHelper.Malformed($"enhanced video tag of {body.Length} bytes, at least 5 needed");
        }

        uint fourCc = BinaryPrimitives.ReadUInt32BigEndian(body[1..]);
        VideoCodec codec;
        switch (fourCc)
        {
            case FourCc.Avc1:
                codec = VideoCodec.H264;
                break;
            case FourCc.Hvc1:
                codec = VideoCodec.H265;
                break;
            case FourCc.Av01:
                codec = VideoCodec.Av1;
                break;
            default:
                return Unsupported(frameType, fourCc);
        }

        switch (packetType)
        {
            case SequenceStart:
                return new FlvVideoPacket(frameType, codec, FlvPacketKind.SequenceStart, 0, 5, fourCc);
            case SequenceEnd:
                return new FlvVideoPacket(frameType, codec, FlvPacketKind.SequenceEnd, 0, 5, fourCc);
            case CodedFramesX:
                return new FlvVideoPacket(frameType, codec, FlvPacketKind.CodedFrames, 0, 5, fourCc);
            case CodedFrames when codec == VideoCodec.Av1:
                return new FlvVideoPacket(frameType, codec, FlvPacketKind.CodedFrames, 0, 5, fourCc);
            case CodedFrames:
                if (body.Length < 8)
                {
                    ThrowHelper.Malformed($"enhanced coded frames tag of {body.Length} bytes, at least 8 needed");
                }

                return new FlvVideoPacket(frameType, codec, FlvPacketKind.CodedFrames, ReadSi24(body[5..]), 8, fourCc);
            default:
                // Metadata (HDR info), MPEG2TSSequenceStart, Multitrack and ModEx are not used.
                return Unsupported(frameType, fourCc);
        }
    }

    private static FlvVideoPacket Unsupported(FlvFrameType frameType, uint fourCc) =>
        new(frameType, default, FlvPacketKind.Unsupported, 0, 0, fourCc);

    /// <summary>Reads a signed 24-bit big-endian integer.</summary>
    public static int ReadSi24(ReadOnlySpan<byte> span)
    {
        if (span.Length < 3)
        {
            ThrowHelper.Malformed("SI24 truncated");
        }

        int value = (span[0] << 16) | (span[1] << 8) | span[2];
        return (value << 8) >> 8;
    }
}
