namespace Stagecast.WebRtc.Rtp;

/// <summary>
/// Maps one track's 32-bit RTP timestamps onto the stream's millisecond timeline: the first packet lands at the time
/// it arrived (relative to the session's start, shared by all tracks), later ones at their RTP distance from it.
/// </summary>
public sealed class RtpClock(int clockRate)
{
    private bool _started;
    private long _last;
    private long _baseRtp;
    private long _baseMs;

    public int ClockRate { get; } = clockRate;

    /// <summary>The timestamp unwrapped to 64 bits (monotonic across wraps, allowing small reorderings).</summary>
    public long Unwrap(uint timestamp)
    {
        if (!_started)
        {
            _started = true;
            _last = timestamp;
            return _last;
        }

        long candidate = _last + (int)(timestamp - (uint)_last);
        _last = Math.Max(_last, candidate);
        return candidate;
    }

    /// <summary>The stream time in ms of an unwrapped timestamp; the first call anchors the track at <paramref name="arrivalMs"/>.</summary>
    public long ToStreamMs(long unwrapped, long arrivalMs)
    {
        if (_baseRtp == 0 && _baseMs == 0)
        {
            _baseRtp = unwrapped;
            _baseMs = arrivalMs;
        }

        return _baseMs + ((unwrapped - _baseRtp) * 1000 / ClockRate);
    }
}
