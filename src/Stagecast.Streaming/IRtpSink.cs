namespace Stagecast.Streaming;

/// <summary>
/// A reader of a stream's RTP as its publisher sent it (a WebRTC publisher's packets, decrypted): WHEP viewers and
/// meeting subscribers forward it without depacketizing or transcoding. Called inline, on the publisher's receive
/// thread, in arrival order; it must not block.
/// </summary>
public interface IRtpSink
{
    /// <summary>One RTP packet of the video or the audio track; the span is reused after the call.</summary>
    void OnRtp(ReadOnlySpan<byte> packet, bool video);

    /// <summary>The publisher's sender report for a track: its NTP time and RTP timestamp of one instant.</summary>
    void OnSenderReport(bool video, ulong ntpTime, uint rtpTimestamp);

    /// <summary>
    /// The RTP publisher went away or was replaced: what comes next has other SSRCs, sequence numbers and timestamps,
    /// and starts wherever its encoder is (a forwarder waits for a keyframe).
    /// </summary>
    void OnRtpSourceChanged();

    /// <summary>One track of the same publisher starts afresh (it was muted): its numbers jump; a forwarder re-anchors them.</summary>
    void OnRtpRestarted(bool video) => OnRtpSourceChanged();
}
