namespace Stagecast.Streaming;

/// <summary>The tracks a publisher says it sends (<see cref="Publisher.DeclareTracks"/>): from its SDP, its PMT, its FLV metadata.</summary>
[Flags]
public enum StreamTracks
{
    None = 0,
    Video = 1,
    Audio = 2,
}
