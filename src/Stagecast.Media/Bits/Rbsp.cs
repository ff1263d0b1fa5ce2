namespace Stagecast.Media.Bits;

/// <summary>Raw byte sequence payload helpers (ITU-T H.264 7.4.1, H.265 7.4.2).</summary>
public static class Rbsp
{
    /// <summary>
    /// Removes emulation prevention bytes (the 0x03 in 0x00 0x00 0x03) from a NAL unit.
    /// Returns the number of bytes written to <paramref name="destination"/>, which must be at least as long as the input.
    /// </summary>
    public static int RemoveEmulationPrevention(ReadOnlySpan<byte> nal, Span<byte> destination)
    {
        int written = 0;
        int zeros = 0;
        foreach (byte b in nal)
        {
            if (zeros >= 2 && b == 0x03)
            {
                zeros = 0;
                continue;
            }

            destination[written++] = b;
            zeros = b == 0 ? zeros + 1 : 0;
        }

        return written;
    }
}
