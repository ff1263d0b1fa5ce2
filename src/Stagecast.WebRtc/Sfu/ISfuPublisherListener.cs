namespace Stagecast.WebRtc.Sfu;

/// <summary>What a meeting publisher tells the meeting about itself.</summary>
public interface ISfuPublisherListener
{
    /// <summary>DTLS completed and the session is about to publish: the moment to retire the session it replaces.</summary>
    void OnConnecting(SfuPublisher publisher);

    /// <summary>A track's first packet arrived, or a track was muted or unmuted.</summary>
    void OnTracksChanged(SfuPublisher publisher);

    void OnClosed(SfuPublisher publisher, string reason);
}
