namespace Stagecast.Rtmp.Sessions;

/// <summary>Turns 32-bit RTMP timestamps (which wrap after ~49.7 days) into a 64-bit timeline.</summary>
internal struct TimestampUnwrapper
{
    private long _last;
    private bool _started;

    public long Unwrap(uint timestamp)
    {
        if (!_started)
        {
            _started = true;
            _last = timestamp;
            return timestamp;
        }

        _last += (int)(timestamp - (uint)_last);
        return _last;
    }
}
