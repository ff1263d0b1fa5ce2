namespace Stagecast.Streaming;

public enum PublishResult
{
    /// <summary>A new stream started.</summary>
    Started,

    /// <summary>The publisher continues a stream whose previous publisher dropped within the reconnect window.</summary>
    Resumed,

    /// <summary>The publisher replaced a publisher that had gone silent.</summary>
    TookOver,

    /// <summary>Refused: another publisher is live and still sending.</summary>
    AlreadyPublishing,
}
