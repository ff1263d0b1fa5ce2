namespace Stagecast.Media.Flv;

/// <summary>FLV VideoTagHeader FrameType (FLV 10.1 E.4.3.1; Enhanced RTMP keeps the values, in 3 bits).</summary>
public enum FlvFrameType : byte
{
    Key = 1,
    Inter = 2,
    DisposableInter = 3,
    GeneratedKey = 4,
    Command = 5,
}
