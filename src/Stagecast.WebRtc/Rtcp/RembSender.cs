namespace Stagecast.WebRtc.Rtcp;

/// <summary>
/// Tells a publisher the bitrate to stay under (REMB, draft-alvestrand-rmcat-remb) once a second, for all its tracks:
/// Stagecast does no bandwidth estimation of its own, so the cap is the operator's (<c>--webrtc-max-publish-kbps</c>).
/// </summary>
public sealed class RembSender(TimeProvider time, ulong bitsPerSecond)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private long _last = long.MinValue;

    /// <summary>Writes a REMB when a second has passed since the last one and there are tracks; otherwise 0.</summary>
    public int WriteIfDue(Span<byte> rtcp, uint senderSsrc, ReadOnlySpan<uint> ssrcs)
    {
        long now = time.GetTimestamp();
        if (ssrcs.IsEmpty || (_last != long.MinValue && time.GetElapsedTime(_last, now) < Interval))
        {
            return 0;
        }

        _last = now;
        return RtcpWriter.Remb(rtcp, senderSsrc, bitsPerSecond, ssrcs);
    }
}
