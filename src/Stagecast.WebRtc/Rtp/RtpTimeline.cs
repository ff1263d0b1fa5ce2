namespace Stagecast.WebRtc.Rtp;

/// <summary>
/// RTP timestamps for media that comes as frames on the stream's timeline (milliseconds): both tracks count from one
/// anchor, the first media sent, each from a random base, so their timestamps relate the way their media does and a
/// sender report can tie both to wall-clock time.
/// </summary>
public sealed class RtpTimeline(TimeProvider time)
{
    private readonly Lock _sync = new();
    private readonly uint _videoBase = (uint)Random.Shared.Next();
    private readonly uint _audioBase = (uint)Random.Shared.Next();
    private long _anchorMs = long.MinValue;
    private long _anchorTicks;

    /// <summary>The video RTP timestamp (90 kHz) of a frame at stream time <paramref name="streamMs"/>.</summary>
    public uint Video(long streamMs) => _videoBase + (uint)(RelativeMs(streamMs) * 90);

    /// <summary>The audio RTP timestamp (48 kHz) of a frame at stream time <paramref name="streamMs"/>.</summary>
    public uint Audio(long streamMs) => _audioBase + (uint)(RelativeMs(streamMs) * 48);

    /// <summary>Both tracks' RTP time now, for sender reports; null before any media was sent.</summary>
    public (uint Video, uint Audio)? Now()
    {
        lock (_sync)
        {
            if (_anchorMs == long.MinValue)
            {
                return null;
            }

            long elapsedMs = (long)time.GetElapsedTime(_anchorTicks).TotalMilliseconds;
            return (_videoBase + (uint)(elapsedMs * 90), _audioBase + (uint)(elapsedMs * 48));
        }
    }

    /// <summary>Milliseconds since the first media sent; the first call sets the anchor both tracks share.</summary>
    private long RelativeMs(long streamMs)
    {
        lock (_sync)
        {
            if (_anchorMs == long.MinValue)
            {
                _anchorMs = streamMs;
                _anchorTicks = time.GetTimestamp();
            }

            return streamMs - _anchorMs;
        }
    }
}
