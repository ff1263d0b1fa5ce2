namespace Stagecast.WebRtc.Srtp;

/// <summary>
/// The receiver's replay list (RFC 3711 section 3.3.2): the highest index seen and a 64-packet window behind it.
/// A packet older than the window, or already seen in it, is refused.
/// </summary>
internal struct ReplayWindow
{
    private const int Size = 64;
    private ulong _mask;
    private bool _started;

    public long Highest { get; private set; }

    public readonly bool IsReplay(long index) =>
        _started && (index <= Highest - Size || (index <= Highest && (_mask & (1UL << (int)(Highest - index))) != 0));

    /// <summary>Records an authenticated packet.</summary>
    public void Accept(long index)
    {
        if (!_started)
        {
            _started = true;
            Highest = index;
            _mask = 1;
        }
        else if (index > Highest)
        {
            long shift = index - Highest;
            _mask = shift >= Size ? 1 : (_mask << (int)shift) | 1;
            Highest = index;
        }
        else
        {
            _mask |= 1UL << (int)(Highest - index);
        }
    }
}
