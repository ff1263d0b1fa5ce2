namespace Stagecast.Streaming;

/// <summary>
/// A reader that handles each frame on the publisher's thread, in stream order, the moment it is written: for
/// consumers whose work per frame is small, bounded and in memory (the LL-HLS packager). It saves the queue and
/// the thread hop per frame that a queued reader costs, and it cannot fall behind, so it never drops. Anything
/// that can block or wait on a network (restream outputs) must use a queued reader instead.
/// </summary>
public interface IHubStreamSink
{
    /// <summary>Handles one frame and takes over the reference. Must not block; an exception detaches the sink.</summary>
    void OnFrame(MediaFrame frame);

    /// <summary>Called once, after the last frame: the stream ended, the sink was detached, or it threw.</summary>
    void OnCompleted(Exception? error);
}
