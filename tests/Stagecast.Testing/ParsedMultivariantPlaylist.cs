using System.Globalization;

namespace Stagecast.Testing;

/// <summary>A multivariant playlist read back for assertions: its variants in the order listed.</summary>
public sealed class ParsedMultivariantPlaylist
{
    public List<ParsedVariant> Variants { get; } = [];

    public static ParsedMultivariantPlaylist Parse(string text)
    {
        var playlist = new ParsedMultivariantPlaylist();
        Dictionary<string, string>? attributes = null;
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            {
                attributes = Attributes(line["#EXT-X-STREAM-INF:".Length..]);
            }
            else if (attributes is not null && !line.StartsWith('#'))
            {
                playlist.Variants.Add(new ParsedVariant(
                    long.Parse(attributes["BANDWIDTH"], CultureInfo.InvariantCulture),
                    attributes.TryGetValue("AVERAGE-BANDWIDTH", out string? average) ? long.Parse(average, CultureInfo.InvariantCulture) : null,
                    attributes.GetValueOrDefault("CODECS"),
                    attributes.GetValueOrDefault("RESOLUTION"),
                    attributes.TryGetValue("FRAME-RATE", out string? frameRate) ? double.Parse(frameRate, CultureInfo.InvariantCulture) : null,
                    line));
                attributes = null;
            }
        }

        return playlist;
    }

    /// <summary>An attribute list (RFC 8216bis 4.2): NAME=value pairs apart by commas, a quoted value may hold commas.</summary>
    private static Dictionary<string, string> Attributes(string list)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        int at = 0;
        while (at < list.Length)
        {
            int equals = list.IndexOf('=', at);
            string name = list[at..equals];
            int end = list[equals + 1] == '"' ? list.IndexOf('"', equals + 2) + 1 : list.IndexOf(',', equals);
            end = end <= 0 ? list.Length : end;
            attributes[name] = list[(equals + 1)..end].Trim('"');
            at = end + 1;
        }

        return attributes;
    }
}

/// <summary>One EXT-X-STREAM-INF and its URI.</summary>
public sealed record ParsedVariant(long Bandwidth, long? AverageBandwidth, string? Codecs, string? Resolution, double? FrameRate, string Uri);
