namespace Stagecast.Rtmp.Messages;

/// <summary>Chunk stream ids used for outgoing messages, following the convention of ffmpeg and OBS.</summary>
public static class ChunkStreams
{
    public const int ProtocolControl = 2;
    public const int Command = 3;
    public const int Audio = 4;
    public const int Data = 5;
    public const int Video = 6;
}
