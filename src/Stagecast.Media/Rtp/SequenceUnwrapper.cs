namespace Stagecast.Media.Rtp;

/// <summary>16-bit sequence numbers (RTP's, transport-wide ones) as a count that does not wrap.</summary>
public static class SequenceUnwrapper
{
    /// <summary>
    /// <paramref name="sequence"/> unwrapped near <paramref name="highest"/> (the highest unwrapped so far, or negative
    /// before the first): the value within half the range of it. The first starts at 65536 or more, so a packet just
    /// before it is not negative.
    /// </summary>
    public static long Unwrap(long highest, ushort sequence)
    {
        if (highest < 0)
        {
            return sequence + 65536L;
        }

        long candidate = (highest & ~0xFFFFL) | sequence;
        if (candidate < highest - 32768)
        {
            candidate += 65536;
        }
        else if (candidate > highest + 32768)
        {
            candidate -= 65536;
        }

        return candidate;
    }
}
