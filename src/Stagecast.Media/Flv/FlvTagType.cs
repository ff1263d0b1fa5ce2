namespace Stagecast.Media.Flv;

/// <summary>FLV tag types, which equal the RTMP message type ids of the same payloads.</summary>
public enum FlvTagType : byte
{
    Audio = 8,
    Video = 9,
    Script = 18,
}
