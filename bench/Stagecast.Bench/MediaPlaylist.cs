using System.Globalization;

namespace Stagecast.Bench;

/// <summary>
/// A media playlist as the bench's clients read it: its complete segments, the parts listed (with those of the
/// segment in progress), the next part a blocking reload asks for and the part target. One parser for the edge
/// observer, the LL-HLS players and the HTTP throughput lists.
/// </summary>
internal sealed class MediaPlaylist
{
    public List<Segment> Segments { get; } = [];

    public List<Part> Parts { get; } = [];

    /// <summary>The first part not listed yet: what <c>_HLS_msn</c> and <c>_HLS_part</c> ask for next.</summary>
    public (long Msn, int Part) NextPart { get; private set; }

    /// <summary>EXT-X-PART-INF's PART-TARGET in seconds; null in a playlist without parts (nginx).</summary>
    public double? PartTarget { get; private set; }

    public static MediaPlaylist Parse(string text)
    {
        var playlist = new MediaPlaylist();
        long msn = 0;
        int part = 0;
        double duration = 0;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))
            {
                msn = long.Parse(line["#EXT-X-MEDIA-SEQUENCE:".Length..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-PART-INF:", StringComparison.Ordinal))
            {
                playlist.PartTarget = double.Parse(Attribute(line, "PART-TARGET="), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-PART:", StringComparison.Ordinal))
            {
                playlist.Parts.Add(new Part(msn, part++, double.Parse(Attribute(line, "DURATION="), CultureInfo.InvariantCulture), Attribute(line, "URI=").Trim('"')));
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                duration = double.Parse(line["#EXTINF:".Length..].Split(',')[0], CultureInfo.InvariantCulture);
            }
            else if (line.Length > 0 && !line.StartsWith('#'))
            {
                playlist.Segments.Add(new Segment(msn++, duration, line, part)); // the segment's URI closes it
                part = 0;
            }
        }

        playlist.NextPart = (msn, part);
        return playlist;
    }

    private static string Attribute(string line, string name)
    {
        int start = line.IndexOf(name, StringComparison.Ordinal) + name.Length;
        int end = line.IndexOf(',', start);
        return end < 0 ? line[start..] : line[start..end];
    }

    /// <summary>A complete segment: its media sequence number, duration, URI and how many parts were listed for it.</summary>
    public readonly record struct Segment(long Msn, double Duration, string Uri, int Parts);

    /// <summary>A part: its segment's media sequence number, its index in that segment, duration and URI.</summary>
    public readonly record struct Part(long Msn, int Index, double Duration, string Uri);
}
