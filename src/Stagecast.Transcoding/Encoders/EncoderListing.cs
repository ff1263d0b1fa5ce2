namespace Stagecast.Transcoding.Encoders;

/// <summary>
/// Reads what <c>ffmpeg -hide_banner -encoders</c> prints: a legend, a <c>------</c> line, then one encoder a line,
/// <c> V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)</c> (flags, name, description). A build lists
/// every encoder it was compiled with, the hardware ones included on a machine without that hardware, so a listed
/// encoder is only a candidate (<see cref="EncoderProbe"/> tries it).
/// </summary>
public static class EncoderListing
{
    /// <summary>The names of the video encoders listed.</summary>
    public static IReadOnlySet<string> VideoEncoders(string listing)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        bool started = false;
        foreach (string line in listing.Split('\n'))
        {
            string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!started)
            {
                started = fields is [var rule] && rule.Length > 0 && rule.All(c => c == '-');
                continue;
            }

            if (fields is [{ Length: 6 } flags, var name, ..] && flags[0] == 'V')
            {
                names.Add(name);
            }
        }

        return names;
    }
}
