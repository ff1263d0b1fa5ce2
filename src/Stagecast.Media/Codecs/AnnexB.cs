namespace Stagecast.Media.Codecs;

/// <summary>
/// The byte stream format of H.264 and H.265 (ITU-T H.264 Annex B, H.265 Annex B), how MPEG-TS carries them: NAL
/// units behind start codes <c>00 00 01</c> (or <c>00 00 00 01</c>), trailing zero bytes between them.
/// </summary>
public static class AnnexB
{
    /// <summary>
    /// Takes the next NAL unit from <paramref name="stream"/>, which starts at a start code; false at the end.
    /// Throws <see cref="MediaFormatException"/> when the data does not begin with a start code.
    /// </summary>
    public static bool TryReadNalUnit(ref ReadOnlySpan<byte> stream, out ReadOnlySpan<byte> nal)
    {
        nal = default;
        int start = StartCodeEnd(stream);
        if (start < 0)
        {
            if (IsZeros(stream))
            {
                stream = default;
                return false;
            }

            return ThrowHelper.Malformed<bool>("Annex B data without a start code");
        }

        var rest = stream[start..];
        int next = rest.IndexOf(StartCodePrefix);
        int end = next < 0 ? rest.Length : next;
        nal = TrimTrailingZeros(rest[..end]);
        stream = next < 0 ? default : rest[next..];
        return true;
    }

    /// <summary>The 4-byte start code the writer puts before each NAL unit.</summary>
    public static ReadOnlySpan<byte> StartCode => [0, 0, 0, 1];

    private static ReadOnlySpan<byte> StartCodePrefix => [0, 0, 1];

    /// <summary>Where the NAL unit after the leading zeros and start code begins, or -1 when none starts here.</summary>
    private static int StartCodeEnd(ReadOnlySpan<byte> stream)
    {
        int zeros = 0;
        while (zeros < stream.Length && stream[zeros] == 0)
        {
            zeros++;
        }

        return zeros >= 2 && zeros < stream.Length && stream[zeros] == 1 ? zeros + 1 : -1;
    }

    private static bool IsZeros(ReadOnlySpan<byte> data) => data.IndexOfAnyExcept((byte)0) < 0;

    private static ReadOnlySpan<byte> TrimTrailingZeros(ReadOnlySpan<byte> nal)
    {
        int end = nal.Length;
        while (end > 0 && nal[end - 1] == 0)
        {
            end--;
        }

        return nal[..end];
    }
}
