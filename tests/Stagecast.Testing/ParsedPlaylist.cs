using System.Globalization;

namespace Stagecast.Testing;

/// <summary>A media playlist read back for assertions (only the tags Stagecast writes).</summary>
public sealed class ParsedPlaylist
{
    public int TargetDuration { get; private set; }

    public double PartTarget { get; private set; }

    public double PartHoldBack { get; private set; }

    public long MediaSequence { get; private set; }

    public long DiscontinuitySequence { get; private set; }

    public List<ParsedSegment> Segments { get; } = [];

    public string? PreloadHint { get; private set; }

    public bool EndList { get; private set; }

    public IEnumerable<ParsedPart> Parts => Segments.SelectMany(s => s.Parts);

    /// <summary>EXT-X-RENDITION-REPORT: the other renditions' playlists and newest parts.</summary>
    public List<(string Uri, long LastMsn, int LastPart)> RenditionReports { get; } = [];

    public static ParsedPlaylist Parse(string text)
    {
        var playlist = new ParsedPlaylist();
        var current = new ParsedSegment();
        string? map = null;
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("#EXT-X-TARGETDURATION:"))
            {
                playlist.TargetDuration = int.Parse(line[22..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-PART-INF:PART-TARGET="))
            {
                playlist.PartTarget = Number(line[28..]);
            }
            else if (line.StartsWith("#EXT-X-SERVER-CONTROL:"))
            {
                playlist.PartHoldBack = Number(Attribute(line, "PART-HOLD-BACK")!);
            }
            else if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:"))
            {
                playlist.MediaSequence = long.Parse(line[22..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-DISCONTINUITY-SEQUENCE:"))
            {
                playlist.DiscontinuitySequence = long.Parse(line[30..], CultureInfo.InvariantCulture);
            }
            else if (line == "#EXT-X-DISCONTINUITY")
            {
                current.Discontinuity = true;
            }
            else if (line == "#EXT-X-GAP")
            {
                current.Gap = true;
            }
            else if (line.StartsWith("#EXT-X-RENDITION-REPORT:"))
            {
                playlist.RenditionReports.Add((Attribute(line, "URI")!, long.Parse(Attribute(line, "LAST-MSN")!, CultureInfo.InvariantCulture),
                    int.Parse(Attribute(line, "LAST-PART")!, CultureInfo.InvariantCulture)));
            }
            else if (line.StartsWith("#EXT-X-MAP:"))
            {
                map = Attribute(line, "URI");
            }
            else if (line.StartsWith("#EXT-X-PART:"))
            {
                current.Parts.Add(new ParsedPart(Number(Attribute(line, "DURATION")!), Attribute(line, "URI")!, line.Contains("INDEPENDENT=YES")));
            }
            else if (line.StartsWith("#EXTINF:"))
            {
                current.Duration = Number(line[8..].TrimEnd(','));
            }
            else if (line.StartsWith("#EXT-X-PRELOAD-HINT:"))
            {
                playlist.PreloadHint = Attribute(line, "URI");
            }
            else if (line == "#EXT-X-ENDLIST")
            {
                playlist.EndList = true;
            }
            else if (!line.StartsWith('#'))
            {
                current.Uri = line;
                current.Map = map;
                playlist.Segments.Add(current);
                current = new ParsedSegment();
            }
        }

        if (current.Parts.Count > 0)
        {
            current.Map = map;
            playlist.Segments.Add(current); // the open segment, listed by its parts only
        }

        for (int i = 0; i < playlist.Segments.Count; i++)
        {
            playlist.Segments[i].Msn = playlist.MediaSequence + i;
        }

        return playlist;
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    private static string? Attribute(string line, string name)
    {
        int start = line.IndexOf(name + "=", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += name.Length + 1;
        if (line[start] == '"')
        {
            return line[(start + 1)..line.IndexOf('"', start + 1)];
        }

        int end = line.IndexOf(',', start);
        return end < 0 ? line[start..] : line[start..end];
    }
}

public sealed class ParsedSegment
{
    public long Msn { get; set; }

    public double? Duration { get; set; }

    public string? Uri { get; set; }

    public string? Map { get; set; }

    public bool Discontinuity { get; set; }

    /// <summary>EXT-X-GAP: a segment this rendition does not have.</summary>
    public bool Gap { get; set; }

    public List<ParsedPart> Parts { get; } = [];
}

public sealed record ParsedPart(double Duration, string Uri, bool Independent);
