using System.Text.RegularExpressions;
using Stagecast.Server.Tests.Hosting;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Docs;

/// <summary>
/// The map cannot drift from the code: docs/architecture.md numbers the features in the order <c>StagecastApp.Build</c>
/// adds them (read from the compiled server, as <see cref="FeatureOrderTests"/> reads it), the README's "How it is
/// built" lists them in that order, and both name every project under src/ and no other. In process: no server.
/// </summary>
[Trait("Category", "InProcess")]
public sealed partial class ArchitectureDocTests
{
    private const string Architecture = "docs/architecture.md";
    private const string Readme = "README.md";

    [Fact]
    public void TheArchitectureNumbersTheFeaturesInTheOrderStagecastAppAddsThem()
    {
        var items = FeatureItem().Matches(Section(Architecture, "## What each feature owns")).ToList();
        var misnumbered = items.Where((item, i) => item.Groups["number"].Value != (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Select(item => item.Value).ToList();
        Assert.True(misnumbered.Count == 0, $"{Architecture} numbers features out of turn: {string.Join(", ", misnumbered)}");
        AssertSameOrder(items.Select(item => item.Groups["name"].Value).ToList(), $"{Architecture}'s \"What each feature owns\"");
    }

    [Fact]
    public void TheReadmeListsTheFeaturesInTheOrderStagecastAppAddsThem()
    {
        var features = ReadmeFeatures().Match(Section(Readme, "## How it is built"));
        Assert.True(features.Success, $"{Readme}'s \"How it is built\" lists no Features/{{...}}");
        AssertSameOrder([.. features.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)],
            $"{Readme}'s \"How it is built\"");
    }

    [Fact]
    public void EverySourceProjectIsNamedInTheReadmeAndTheArchitecture()
    {
        var projects = Directory.GetDirectories(Path.Combine(Browser.RepositoryRoot(), "src"))
            .Where(d => Directory.GetFiles(d, "*.csproj").Length > 0)
            .Select(d => Path.GetFileName(d)).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("Stagecast.Server", projects); // the reader itself

        var problems = new List<string>();
        Compare(projects, ReadmeProject().Matches(Section(Readme, "## How it is built")), $"{Readme}'s \"How it is built\"", problems);
        Compare(projects, ProjectRow().Matches(Section(Architecture, "## What each project owns")), $"{Architecture}'s \"What each project owns\"", problems);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static void AssertSameOrder(List<string> listed, string where)
    {
        var added = FeatureOrder.Added();
        Assert.True(listed.SequenceEqual(added), $"""
            {where} lists the features
              {string.Join(", ", listed)}
            StagecastApp.Build adds them in this order:
              {string.Join(", ", added)}
            (not listed: {string.Join(", ", added.Except(listed))}; not added: {string.Join(", ", listed.Except(added))})
            """);
    }

    private static void Compare(HashSet<string> projects, MatchCollection named, string where, List<string> problems)
    {
        var names = named.Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(projects.Except(names).Order(StringComparer.Ordinal).Select(p => $"{where} does not name src/{p}"));
        problems.AddRange(names.Except(projects).Order(StringComparer.Ordinal).Select(p => $"{where} names {p}, which src/ does not have"));
    }

    /// <summary>
    /// The part of a page under <paramref name="heading"/> (a line of its own), up to the next heading of its level or
    /// above; lines in code blocks are never taken for headings.
    /// </summary>
    private static string Section(string page, string heading)
    {
        var lines = DocsTests.Read(page).Split('\n');
        int start = Array.FindIndex(lines, line => line.TrimEnd() == heading);
        Assert.True(start >= 0, $"{page} has no heading \"{heading}\"");
        int level = heading.IndexOf(' ', StringComparison.Ordinal);
        var section = new List<string>();
        bool code = false;
        foreach (string line in lines.Skip(start + 1))
        {
            code ^= line.StartsWith("```", StringComparison.Ordinal);
            if (!code && HeadingLevel().Match(line) is { Success: true } next && next.Length <= level)
            {
                break;
            }

            section.Add(line);
        }

        return string.Join('\n', section);
    }

    /// <summary>An item of the features' list: <c>12. **Rooms**: ...</c>.</summary>
    [GeneratedRegex(@"^(?<number>\d+)\. \*\*(?<name>\w+)\*\*", RegexOptions.Multiline)]
    private static partial Regex FeatureItem();

    /// <summary>The README's folders of the server's features: <c>Features/{Cluster, Accounts, ...}</c>.</summary>
    [GeneratedRegex(@"Features/\{([^}]*)\}")]
    private static partial Regex ReadmeFeatures();

    /// <summary>A project in the README's block: a line that starts with <c>src/Stagecast.Media</c>.</summary>
    [GeneratedRegex(@"^src/(\S+)", RegexOptions.Multiline)]
    private static partial Regex ReadmeProject();

    /// <summary>A row of the projects' table: <c>| `Stagecast.Media` | ...</c>.</summary>
    [GeneratedRegex(@"^\| `([\w.]+)` \|", RegexOptions.Multiline)]
    private static partial Regex ProjectRow();

    /// <summary>A heading's hashes.</summary>
    [GeneratedRegex(@"^#+(?= )")]
    private static partial Regex HeadingLevel();
}
