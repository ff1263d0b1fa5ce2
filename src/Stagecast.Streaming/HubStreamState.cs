namespace Stagecast.Streaming;

public enum HubStreamState
{
    /// <summary>A publisher is attached.</summary>
    Live,

    /// <summary>The publisher dropped; the stream waits for it within the reconnect window.</summary>
    Reconnecting,

    /// <summary>Over: unpublished, stopped, or the reconnect window passed.</summary>
    Ended,
}
