using System.Collections.Immutable;

namespace Stagecast.Streaming.Renditions;

/// <summary>
/// The renditions a livestream may ask for and their documented bitrates (docs/renditions.md), and the reading of a
/// requested list: names from <see cref="Known"/>, each once; the result starts with the source and runs from the
/// highest encode down, whatever order it was asked in.
/// </summary>
public static class RenditionLadder
{
    /// <summary>Every rendition there is, source first, then by height from the top; video bitrates in bit/s.</summary>
    public static readonly ImmutableArray<Rendition> Known =
    [
        Rendition.Source,
        new("1080p", 1080, 4_500_000),
        new("720p", 720, 2_500_000),
        new("480p", 480, 1_200_000),
        new("360p", 360, 700_000),
        new("240p", 240, 400_000),
        new("180p", 180, 250_000),
    ];

    /// <summary>The ladder of a livestream that asks for none: the source alone, which costs no CPU.</summary>
    public static readonly ImmutableArray<Rendition> SourceOnly = [Rendition.Source];

    public static Rendition? Find(string name)
    {
        foreach (var rendition in Known)
        {
            if (rendition.Name == name)
            {
                return rendition;
            }
        }

        return null;
    }

    /// <summary>Reads a requested list; on a name not known or given twice, says which in <paramref name="error"/>.</summary>
    public static bool TryParse(IEnumerable<string?> names, out ImmutableArray<Rendition> ladder, out string? error)
    {
        var chosen = new HashSet<Rendition>();
        foreach (string? name in names)
        {
            var rendition = name is null ? null : Find(name);
            if (rendition is null)
            {
                string given = name is null ? "null" : $"'{Shorten(name)}'";
                (ladder, error) = (default, $"{given} is not a rendition; use {string.Join(", ", Known.Select(k => k.Name))}.");
                return false;
            }

            if (!chosen.Add(rendition))
            {
                (ladder, error) = (default, $"'{name}' is listed twice.");
                return false;
            }
        }

        chosen.Add(Rendition.Source);
        ladder = [.. Known.Where(chosen.Contains)];
        error = null;
        return true;
    }

    /// <summary>The names of a ladder, as the API shows them.</summary>
    public static ImmutableArray<string> Names(IEnumerable<Rendition> ladder) => [.. ladder.Select(r => r.Name)];

    private static string Shorten(string name) => name.Length <= 20 ? name : name[..20] + "…";
}
