using System.Collections.Immutable;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Stagecast.Server.Hosting.Database;
using Stagecast.Streaming.Renditions;

namespace Stagecast.Server.Features.Apps;

/// <summary>
/// A rendition ladder as the API takes it (a livestream's <c>renditions</c>, an app's <c>default_renditions</c>) and as
/// the stores keep it: the names of <see cref="RenditionLadder.Known"/>, normalised (source first, then from the top).
/// </summary>
public static class LadderSetting
{
    /// <summary>The ladder a livestream's broadcasts get: its own, else its app's default, else the source alone.</summary>
    public static ImmutableArray<Rendition> Effective(ImmutableArray<Rendition>? livestream, ImmutableArray<Rendition>? app) =>
        livestream ?? app ?? RenditionLadder.SourceOnly;

    /// <summary>What is wrong with a requested list, named as <paramref name="field"/>; nothing for none.</summary>
    public static IEnumerable<ValidationResult> Check(IReadOnlyList<string?>? names, string field)
    {
        if (names is null)
        {
            yield break;
        }

        if (names.Count > RenditionLadder.Known.Length)
        {
            // Every rendition once at most: a longer list repeats one, and is not read further.
            yield return new ValidationResult($"\"{field}\" must have at most {RenditionLadder.Known.Length} items");
        }
        else if (names.Contains(null))
        {
            yield return new ValidationResult($"\"{field}\" must be a list of names, without null");
        }
        else if (!RenditionLadder.TryParse(names!, out _, out string? error))
        {
            yield return new ValidationResult($"\"{field}\": {error}");
        }
    }

    /// <summary>A requested list that <see cref="Check"/> passed, normalised; null for none.</summary>
    public static ImmutableArray<Rendition>? Parse(IReadOnlyList<string?>? names) =>
        names is null ? null
        : RenditionLadder.TryParse(names!, out var ladder, out string? error) ? ladder : throw new ArgumentException(error, nameof(names));

    public static string? ToColumn(ImmutableArray<Rendition>? ladder) =>
        ladder is { } rungs ? JsonSerializer.Serialize(RenditionLadder.Names(rungs), StoredJsonContext.Default.IReadOnlyListString) : null;

    /// <summary>A stored ladder; a name this version does not know (any more) is left out.</summary>
    public static ImmutableArray<Rendition>? FromColumn(string? json) =>
        json is null ? null
        : [.. (JsonSerializer.Deserialize(json, StoredJsonContext.Default.IReadOnlyListString) ?? []).Select(RenditionLadder.Find).OfType<Rendition>()];
}
