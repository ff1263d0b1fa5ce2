namespace Stagecast.Media.Codecs;

public enum VideoCodec
{
    H264,
    H265,
    Av1,
}
