namespace Stagecast.Streaming;

/// <summary>Bounds of one reader's queue. When either is reached, new media is dropped (and counted).</summary>
public sealed record ReaderOptions
{
    /// <summary>Default: about 10 s of 30 fps video with audio.</summary>
    public int MaxQueuedFrames { get; init; } = 1024;

    /// <summary>Default: 16 MiB, several seconds of a 20 Mbps stream.</summary>
    public long MaxQueuedBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>
    /// When true (the default) the reader starts with the newest keyframe's group of pictures, if the stream has one
    /// cached; otherwise it starts at the next keyframe.
    /// </summary>
    public bool StartWithCachedGop { get; init; } = true;

    /// <summary>A player (a WHEP viewer, a subscriber): counted in the stream's live viewers.</summary>
    public bool IsViewer { get; init; }

    public static ReaderOptions Default { get; } = new();
}
