using System.Buffers.Binary;
using Stagecast.Media.Codecs;

namespace Stagecast.Media.Flv;

/// <summary>
/// Writes the header bytes that precede a payload in an FLV tag body (the inverse of <see cref="FlvVideoTag"/> and
/// <see cref="FlvAudioTag"/>): legacy headers for H.264 and AAC, which every RTMP server accepts, and Enhanced RTMP
/// headers for H.265 and AV1.
/// </summary>
public static class FlvTagHeader
{
    /// <summary>Longest header written: enhanced CodedFrames with a composition time.</summary>
    public const int MaxLength = 8;

    public static int WriteVideo(Span<byte> destination, VideoCodec codec, FlvPacketKind kind, bool keyframe, int compositionTime)
    {
        int frameType = keyframe ? (int)FlvFrameType.Key : (int)FlvFrameType.Inter;
        if (codec == VideoCodec.H264)
        {
            destination[0] = (byte)((frameType << 4) | 7);
            destination[1] = kind switch
            {
                FlvPacketKind.SequenceStart => 0,
                FlvPacketKind.SequenceEnd => 2,
                _ => 1,
            };
            WriteSi24(destination[2..], kind == FlvPacketKind.CodedFrames ? compositionTime : 0);
            return 5;
        }

        uint fourCc = codec == VideoCodec.H265 ? FourCc.Hvc1 : FourCc.Av01;
        bool withCompositionTime = kind == FlvPacketKind.CodedFrames && codec == VideoCodec.H265 && compositionTime != 0;
        int packetType = kind switch
        {
            FlvPacketKind.SequenceStart => 0,
            FlvPacketKind.SequenceEnd => 2,
            _ when withCompositionTime || codec == VideoCodec.Av1 => 1, // CodedFrames (AV1 carries no composition time)
            _ => 3, // CodedFramesX: composition time zero, not sent
        };
        destination[0] = (byte)(0x80 | (frameType << 4) | packetType);
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], fourCc);
        if (withCompositionTime)
        {
            WriteSi24(destination[5..], compositionTime);
            return 8;
        }

        return 5;
    }

    /// <summary>AAC: SoundFormat 10 (the rate/size/type bits are ignored for AAC), then the AACPacketType.</summary>
    public static int WriteAudio(Span<byte> destination, FlvPacketKind kind)
    {
        destination[0] = 0xAF;
        destination[1] = kind == FlvPacketKind.SequenceStart ? (byte)0 : (byte)1;
        return 2;
    }

    private static void WriteSi24(Span<byte> destination, int value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }
}
