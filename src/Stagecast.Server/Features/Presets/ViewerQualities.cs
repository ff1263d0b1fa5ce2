using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Stagecast.Server.Hosting.Api;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Presets;

/// <summary>
/// A preset's <c>config.livestream_viewer_qualities</c>: the renditions of a meeting livestream that a holder of the
/// preset starts (docs/renditions.md). RealtimeKit's preset schema lists heights (<c>[1080, 720, 360]</c>), its docs
/// and apps names (<c>["1080p", "720p", "360p"]</c>): either is taken, each rendition once; the ladder is the source
/// and those, from the top. An empty list chooses nothing, as in RealtimeKit's UI kit (every quality).
/// </summary>
public static class ViewerQualities
{
    public const string Field = "config.livestream_viewer_qualities";

    /// <summary>Refuses (400, naming the field) anything but a list of renditions; null (no change, or removed) passes.</summary>
    public static void Check(JsonNode? node)
    {
        if (node is null)
        {
            return;
        }

        string known = string.Join(", ", RenditionLadder.Known.Select(r => r.Name));
        if (node is not JsonArray list || list.Count > RenditionLadder.Known.Length)
        {
            throw ApiException.BadRequest($"\"{Field}\" must be a list of renditions, each once: {known} (or their heights, as numbers)");
        }

        var names = list.Select(NameOf).ToList();
        if (names.IndexOf(null) is var unknown and >= 0)
        {
            throw ApiException.BadRequest($"\"{Field}\": {Shorten(list[unknown]?.ToJsonString() ?? "null")} is not a rendition; use {known} (or their heights, as numbers).");
        }

        if (!RenditionLadder.TryParse(names, out _, out string? error))
        {
            throw ApiException.BadRequest($"\"{Field}\": {error}");
        }
    }

    /// <summary>The ladder a stored preset asks for; null when it names none (what this version does not know is left out).</summary>
    public static ImmutableArray<Rendition>? Read(JsonNode? node)
    {
        var names = (node as JsonArray)?.Select(NameOf).OfType<string>().ToList() ?? [];
        return names.Count > 0 && RenditionLadder.TryParse(names.Distinct(StringComparer.Ordinal), out var ladder, out _) ? ladder : null;
    }

    private static string Shorten(string json) => json.Length <= 20 ? json : json[..20] + "…";

    /// <summary>"720p" (or "source") as it is, 720 as "720p"; null for anything else.</summary>
    private static string? NameOf(JsonNode? quality) => quality switch
    {
        JsonValue value when value.TryGetValue(out string? name) => RenditionLadder.Find(name)?.Name,
        JsonValue value when value.TryGetValue(out int height) => RenditionLadder.Known.FirstOrDefault(r => !r.IsSource && r.Height == height)?.Name,
        _ => null,
    };
}
