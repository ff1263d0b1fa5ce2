namespace Stagecast.Media.Codecs;

public enum AudioCodec
{
    Aac,
}
