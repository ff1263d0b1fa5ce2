using Stagecast.Media.Codecs;

namespace Stagecast.Media.Flv;

/// <summary>A parsed FLV video tag header: what follows at <see cref="DataOffset"/> in the tag body.</summary>
public readonly record struct FlvVideoPacket(
    FlvFrameType FrameType,
    VideoCodec Codec,
    FlvPacketKind Kind,
    int CompositionTime,
    int DataOffset,
    uint FourCc)
{
    public bool IsKeyframe => FrameType is FlvFrameType.Key or FlvFrameType.GeneratedKey;
}
