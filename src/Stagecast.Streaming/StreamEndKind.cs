namespace Stagecast.Streaming;

/// <summary>Why a live stream ended.</summary>
public enum StreamEndKind
{
    /// <summary>The publisher unpublished (FCUnpublish/deleteStream).</summary>
    Unpublished,

    /// <summary>The server ended it: disabled, key reset, deleted, or shutting down.</summary>
    Stopped,

    /// <summary>The publisher dropped and did not come back within the reconnect window.</summary>
    PublisherLost,
}
