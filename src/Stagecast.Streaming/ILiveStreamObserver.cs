namespace Stagecast.Streaming;

/// <summary>
/// Learns about stream lifecycle changes (persistence, webhooks, packagers). Called synchronously outside the
/// hub's locks; implementations must be quick and must not throw.
/// </summary>
public interface ILiveStreamObserver
{
    void OnStreamStarted(LiveStream stream)
    {
    }

    void OnPublisherLeft(LiveStream stream)
    {
    }

    void OnPublisherResumed(LiveStream stream)
    {
    }

    void OnStreamEnded(LiveStream stream)
    {
    }
}
