using System.Text.RegularExpressions;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Server.Features.Webhooks;
using Stagecast.Server.Hosting;
using Stagecast.Server.Tests.Meetings;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Docs;

/// <summary>
/// The docs name only what the server has: every metric (against a running server's /metrics), every flag (against
/// the command line), every webhook event and every realtime message type they mention exists; and only what the
/// repository has: every page and section they refer to.
/// </summary>
public sealed partial class DocsTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    /// <summary>Programs whose command lines the docs quote: a line that runs one of them names its flags, not ours.</summary>
    private static readonly string[] OtherPrograms =
        ["dotnet ", "./test.sh", "bench/run.sh", "redis-server", "redis-cli", "turnserver", "caddy", "useradd", "systemctl", "ffmpeg", "curl", "npm ", "apt", "sudo "];

    /// <summary>Other programs' flags the docs name in prose.</summary>
    private static readonly HashSet<string> OtherProgramsFlags = ["--filter", "--scenario", "--project", "--fast", "--busy", "--all", "--pdeathsig", "--verify-no-changes", "--ignore-certificate-errors"];

    /// <summary>The README and docs/*.md: what an operator or app developer reads.</summary>
    public static TheoryData<string> Pages() =>
        [.. Directory.GetFiles(Path.Combine(Browser.RepositoryRoot(), "docs"), "*.md").Select(p => "docs/" + Path.GetFileName(p)).Prepend("README.md")];

    /// <summary>The pages plus the bench's manual (its flags are the bench tool's own, its metrics the server's).</summary>
    public static TheoryData<string> PagesAndBench() => [.. ((IEnumerable<object[]>)Pages()).Select(row => (string)row[0]).Append("bench/README.md")];

    [Theory]
    [MemberData(nameof(PagesAndBench))]
    public async Task EveryMetricNamedIsOneTheServerExports(string page)
    {
        string exposition = await server.MetricsAsync();
        var exported = TypeLine().Matches(exposition).Select(m => m.Groups[1].Value).ToHashSet();
        var unknown = MetricName().Matches(Read(page)).Select(m => m.Value)
            .Where(name => !exported.Contains(name) && !exported.Contains(HistogramSeries().Replace(name, "")))
            .Distinct().ToList();
        Assert.True(unknown.Count == 0, $"{page} names metrics the server does not export: {string.Join(", ", unknown)}");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryFlagNamedIsOneTheServerTakes(string page)
    {
        var flags = CommandLine.Flags();
        var unknown = OurLines(Read(page)).SelectMany(line => Flag().Matches(line)).Select(m => m.Groups[1].Value)
            .Where(flag => !flags.Contains(flag) && !OtherProgramsFlags.Contains(flag))
            .Distinct().ToList();
        Assert.True(unknown.Count == 0, $"{page} names flags the server does not take: {string.Join(", ", unknown)}");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryWebhookEventNamedIsOneTheServerKnows(string page)
    {
        var unknown = WebhookEvent().Matches(Read(page)).Select(m => m.Value).Where(e => !WebhookEventNames.All.Contains(e)).Distinct().ToList();
        Assert.True(unknown.Count == 0, $"{page} names webhook events the server does not have: {string.Join(", ", unknown)}");
    }

    [Fact]
    public void EveryRealtimeMessageTypeInTheChannelsDocsExists()
    {
        var known = new[] { RealtimeProtocolTests.ServerMessages(), RealtimeProtocolTests.ClientRequests() }
            .SelectMany(rows => (IEnumerable<object[]>)rows).Select(row => (string)row[0]).ToHashSet();
        var unknown = RealtimeExample().Matches(Read("docs/realtime.md")).Select(m => m.Groups[1].Value).Where(t => !known.Contains(t)).Distinct().ToList();
        Assert.True(unknown.Count == 0, $"docs/realtime.md shows message types the server does not have: {string.Join(", ", unknown)}");
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryPageAndSectionReferredToExists(string page)
    {
        string text = Read(page);
        var dead = new List<string>();
        foreach (Match link in PageLink().Matches(text))
        {
            string file = link.Groups["file"].Value;
            string target = file.Length == 0 ? page : Path.GetRelativePath(Browser.RepositoryRoot(), Path.Combine(Browser.RepositoryRoot(), Path.GetDirectoryName(page)!, file));
            if (!File.Exists(Path.Combine(Browser.RepositoryRoot(), target)))
            {
                dead.Add(link.Value);
            }
            else if (link.Groups["anchor"].Success && !Anchors(Read(target)).Contains(link.Groups["anchor"].Value))
            {
                dead.Add(link.Value);
            }
        }

        // In prose: "the README's recording section" must name one of its sections; the API contract's sections are
        // not in the repository (docs/decisions.md, which answers that contract, alone cites it).
        var readme = Headings(Read("README.md")).ToList();
        dead.AddRange(ReadmeSection().Matches(text).Where(m => !readme.Any(h => h.Contains(m.Groups[1].Value, StringComparison.OrdinalIgnoreCase))).Select(m => m.Value));
        if (page != "docs/decisions.md")
        {
            dead.AddRange(ContractSection().Matches(text).Select(m => m.Value));
        }

        Assert.True(dead.Count == 0, $"{page} refers to pages or sections that do not exist: {string.Join(", ", dead)}");
    }

    /// <summary>A page of the repository, by its path from the root.</summary>
    internal static string Read(string page) => File.ReadAllText(Path.Combine(Browser.RepositoryRoot(), page));

    /// <summary>A page's headings, outside code blocks.</summary>
    private static IEnumerable<string> Headings(string text)
    {
        bool code = false;
        foreach (string line in text.Split('\n'))
        {
            code ^= line.StartsWith("```", StringComparison.Ordinal);
            if (!code && Heading().Match(line) is { Success: true } heading)
            {
                yield return heading.Groups[1].Value.Trim();
            }
        }
    }

    /// <summary>The anchors GitHub gives a page's headings: lower case, punctuation but - and _ dropped, spaces as -.</summary>
    private static HashSet<string> Anchors(string text) =>
        [.. Headings(text).Select(h => AnchorDropped().Replace(h.ToLowerInvariant(), "").Replace(' ', '-'))];

    /// <summary>The lines that are not another program's command line (continued with a backslash, too).</summary>
    private static IEnumerable<string> OurLines(string text)
    {
        bool continued = false;
        foreach (string line in text.Split('\n'))
        {
            string command = EnvironmentAssignments().Replace(line.TrimStart(' ', '`', '$', '>'), "");
            bool theirs = continued || OtherPrograms.Any(p => command.StartsWith(p, StringComparison.Ordinal));
            continued = theirs && line.TrimEnd().EndsWith('\\');
            if (!theirs)
            {
                yield return line;
            }
        }
    }

    /// <summary>Variables set ahead of a command: <c>NAME=value other-program …</c>.</summary>
    [GeneratedRegex(@"^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+")]
    private static partial Regex EnvironmentAssignments();

    /// <summary>A link to a page of the repository (or a section of this one): <c>](../README.md#the-api)</c>, <c>](#install)</c>.</summary>
    [GeneratedRegex(@"\]\((?!\w+:)(?<file>[^)\s#]*\.md)?(?:#(?<anchor>[^)\s]+))?\)")]
    private static partial Regex PageLink();

    [GeneratedRegex(@"^#{1,6} (.+)$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{N} _-]")]
    private static partial Regex AnchorDropped();

    [GeneratedRegex(@"README's ([\w -]+?) section")]
    private static partial Regex ReadmeSection();

    [GeneratedRegex(@"API\.md section \d+")]
    private static partial Regex ContractSection();

    [GeneratedRegex(@"^# TYPE (\S+) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"\bstagecast_[a-z0-9_]*[a-z0-9]")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"_(bucket|sum|count)$")]
    private static partial Regex HistogramSeries();

    [GeneratedRegex(@"(?<![\w-])(--[a-z][a-z0-9-]*[a-z0-9])")]
    private static partial Regex Flag();

    /// <summary>
    /// A RealtimeKit webhook event's name (<c>meeting.started</c>, <c>recording.statusUpdate</c>): a camelCase word after
    /// the namespace, which the client module's objects (<c>meeting.self</c>) and settings (<c>recording.mode</c>) are not,
    /// but for its one camelCase object, <c>meeting.connectedMeetings</c>.
    /// </summary>
    [GeneratedRegex(@"\b(?:meeting|recording|livestreaming)\.(?!connectedMeetings\b)(?:started|ended|[a-z]+[A-Z][A-Za-z]*)\b")]
    private static partial Regex WebhookEvent();

    /// <summary>A message in an example: a JSON object that starts with its type.</summary>
    [GeneratedRegex(@"\{""type"":""([a-z_]+)""")]
    private static partial Regex RealtimeExample();
}
