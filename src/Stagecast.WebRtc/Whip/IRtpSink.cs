namespace Stagecast.WebRtc.Whip;

/// <summary>A WHEP viewer fed a WHIP publisher's own RTP, as it arrived (no hub, no transcoding).</summary>
public interface IRtpSink
{
    /// <summary>A decrypted RTP packet of the publisher's video or audio; the span is reused after the call.</summary>
    void OnPublisherRtp(ReadOnlySpan<byte> packet, bool video);

    /// <summary>The publisher's sender report for a track: its NTP time and RTP timestamp of one instant.</summary>
    void OnPublisherSenderReport(bool video, ulong ntpTime, uint rtpTimestamp);
}
