namespace Stagecast.Media.MpegTs;

/// <summary>
/// The 33-bit, 90 kHz timestamps of MPEG-TS (PTS, DTS, PCR base): as written in a PES header (ISO/IEC 13818-1
/// 2.4.3.7), and unwrapped onto a 64-bit timeline (they wrap after about 26.5 hours).
/// <code>4 prefix | 3 ts[32..30] 1 marker | 15 ts[29..15] 1 marker | 15 ts[14..0] 1 marker</code>
/// </summary>
public static class TsTimestamp
{
    public const int ClockRate = 90_000;

    public const long Modulo = 1L << 33;

    public const int EncodedLength = 5;

    public static long Read(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x01) == 0 || (field[2] & 0x01) == 0 || (field[4] & 0x01) == 0)
        {
            ThrowHelper.Malformed("PES timestamp without its marker bits");
        }

        return ((long)(field[0] & 0x0E) << 29) | ((long)field[1] << 22) | ((long)(field[2] & 0xFE) << 14) | ((long)field[3] << 7) | ((long)field[4] >> 1);
    }

    /// <summary>Writes a timestamp with its 4-bit prefix (0b0010 PTS alone, 0b0011 PTS before DTS, 0b0001 DTS).</summary>
    public static void Write(Span<byte> destination, int prefix, long timestamp)
    {
        long value = timestamp & (Modulo - 1);
        destination[0] = (byte)((prefix << 4) | (int)((value >> 29) & 0x0E) | 0x01);
        destination[1] = (byte)(value >> 22);
        destination[2] = (byte)(((value >> 14) & 0xFE) | 0x01);
        destination[3] = (byte)(value >> 7);
        destination[4] = (byte)(((value << 1) & 0xFE) | 0x01);
    }

    /// <summary>The value of a 33-bit <paramref name="timestamp"/> on a 64-bit timeline nearest to <paramref name="reference"/> (a wrap either way).</summary>
    public static long Nearest(long timestamp, long reference)
    {
        long delta = (timestamp - reference) & (Modulo - 1);
        return reference + (delta >= Modulo / 2 ? delta - Modulo : delta);
    }
}

/// <summary>
/// Unwraps 33-bit timestamps onto one 64-bit timeline: each is taken as the nearest value to the previous one, so a
/// wrap moves forward and a slightly earlier timestamp (another stream's, a B-frame's) stays slightly earlier.
/// </summary>
public struct TsTimestampUnwrapper
{
    private long _last;
    private bool _started;

    public long Unwrap(long timestamp)
    {
        if (!_started)
        {
            _started = true;
            _last = timestamp;
            return timestamp;
        }

        _last = TsTimestamp.Nearest(timestamp, _last);
        return _last;
    }
}
