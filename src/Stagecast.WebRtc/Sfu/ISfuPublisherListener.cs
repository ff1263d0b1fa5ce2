namespace Stagecast.WebRtc.Sfu;

/// <summary>What a meeting publication tells the meeting about itself.</summary>
public interface ISfuPublisherListener
{
    /// <summary>DTLS completed and the publication is about to publish: the moment to retire the one it replaces.</summary>
    void OnConnecting(SfuPublication publication);

    /// <summary>The publication publishes into its hub stream (which exists from now on, for readers to find).</summary>
    void OnPublished(SfuPublication publication)
    {
    }

    /// <summary>A track's first packet arrived, a track was muted or unmuted, or the client offered other tracks.</summary>
    void OnTracksChanged(SfuPublication publication);

    void OnClosed(SfuPublication publication, string reason);
}
