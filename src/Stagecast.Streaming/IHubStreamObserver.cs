namespace Stagecast.Streaming;

/// <summary>
/// Learns about stream lifecycle changes (persistence, webhooks, packagers). Called synchronously outside the
/// hub's locks; implementations must be quick and must not throw.
/// </summary>
public interface IHubStreamObserver
{
    void OnStreamStarted(HubStream stream)
    {
    }

    /// <summary>
    /// Readers have the stream's tracks (<see cref="HubStream.TracksKnown"/>): <see cref="HubStream.Video"/> and
    /// <see cref="HubStream.Audio"/> say what it carries. Once per stream, after <see cref="OnStreamStarted"/>.
    /// </summary>
    void OnTracksKnown(HubStream stream)
    {
    }

    void OnPublisherLeft(HubStream stream)
    {
    }

    void OnPublisherResumed(HubStream stream)
    {
    }

    void OnStreamEnded(HubStream stream)
    {
    }
}
