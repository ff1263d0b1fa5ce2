namespace Stagecast.WebRtc.Rtcp;

/// <summary>
/// When to ask a publisher for a keyframe (PLI, RFC 4585 section 6.3.1): when one is wanted (a new viewer, a reader's
/// request, a picture the depacketizer cannot repair) or when the keyframe interval has passed since the last one
/// (browsers send keyframes only when asked, and segments start at them; <see cref="Timeout.InfiniteTimeSpan"/>: only
/// when wanted), at most once per
/// <see cref="MinInterval"/> so a flood of requests from viewers reaches the encoder as one.
/// </summary>
public sealed class KeyframeRequester(TimeProvider time, TimeSpan keyframeInterval)
{
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>The interval's request goes out this much early (a feedback tick), so the keyframe arrives on time.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromMilliseconds(250);

    private long _lastRequest = long.MinValue;
    private long _lastKeyframe = long.MinValue;
    private volatile bool _wanted = true;

    /// <summary>PLIs sent so far.</summary>
    public long Sent { get; private set; }

    /// <summary>Asks for a keyframe at the next chance.</summary>
    public void Request() => _wanted = true;

    /// <summary>A keyframe arrived: the wish is granted, and the interval counts from now.</summary>
    public void KeyframeArrived()
    {
        _wanted = false;
        _lastKeyframe = time.GetTimestamp();
    }

    /// <summary>
    /// Writes a PLI for <paramref name="mediaSsrc"/> when one is due (wanted, <paramref name="decoderWaiting"/>, or the
    /// interval passed) and the last was at least <see cref="MinInterval"/> ago; otherwise writes nothing (0).
    /// </summary>
    public int WriteIfDue(Span<byte> rtcp, uint senderSsrc, uint mediaSsrc, bool decoderWaiting)
    {
        long now = time.GetTimestamp();
        bool intervalPassed = keyframeInterval > TimeSpan.Zero && _lastKeyframe != long.MinValue
            && time.GetElapsedTime(_lastKeyframe, now) >= keyframeInterval - Lead;
        bool due = _wanted || decoderWaiting || intervalPassed;
        if (!due || (_lastRequest != long.MinValue && time.GetElapsedTime(_lastRequest, now) < MinInterval))
        {
            return 0;
        }

        _lastRequest = now;
        Sent++;
        return RtcpWriter.Pli(rtcp, senderSsrc, mediaSsrc);
    }
}
