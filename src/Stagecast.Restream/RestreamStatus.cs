namespace Stagecast.Restream;

public enum RestreamStatus
{
    /// <summary>Not running: the source is not live, or the destination is disabled.</summary>
    Idle,

    /// <summary>The first connection attempt is under way.</summary>
    Connecting,

    /// <summary>Publishing to the destination.</summary>
    Streaming,

    /// <summary>The connection was lost while streaming; trying again with backoff.</summary>
    Reconnecting,

    /// <summary>Connection attempts fail (refused, unreachable, rejected); trying again with backoff.</summary>
    Errored,
}
