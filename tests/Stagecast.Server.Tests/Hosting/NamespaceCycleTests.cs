using System.Reflection;

namespace Stagecast.Server.Tests.Hosting;

/// <summary>
/// Inside each library the namespaces are layers, as pion's packages are (ice, dtls, srtp, rtp, rtcp, sdp): of the
/// namespaces side by side in one parent (each with those inside it), one may use another only if that one does not use
/// it back, directly or through others. A namespace and those inside it may use each other, as C# lets them without a
/// using. Read from each compiled library the server references: what each type uses from its metadata and IL
/// (<see cref="TypeReferences"/>).
/// </summary>
[Trait("Category", "InProcess")]
public sealed class NamespaceCycleTests
{
    private static readonly List<string> LibraryNames =
        [.. typeof(StagecastApp).Assembly.GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(name => name.StartsWith("Stagecast.", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    public static TheoryData<string> Libraries() => [.. LibraryNames];

    [Theory]
    [MemberData(nameof(Libraries))]
    public void NoNamespacesOfALibraryFormACycle(string library)
    {
        var cycles = NamespaceGraph.Of(Assembly.Load(library).Location).Cycles();
        Assert.True(cycles.Count == 0, $"namespace cycles in {library}:\n{string.Join("\n", cycles)}");
    }

    [Fact]
    public void TheReaderSeesTheLibrariesAndTheUsesBetweenTheirNamespaces()
    {
        Assert.Contains("Stagecast.WebRtc", LibraryNames);
        Assert.Contains("Stagecast.Srt", LibraryNames);
        var graph = NamespaceGraph.Of(typeof(Stagecast.WebRtc.Sfu.SfuPublisher).Assembly.Location);
        Assert.Contains("Stagecast.WebRtc.Rtp", graph.Uses["Stagecast.WebRtc.Sfu"].Keys);
    }

    /// <summary>Which namespace of one assembly uses which of its siblings, each use with one type that shows it.</summary>
    private sealed class NamespaceGraph
    {
        private NamespaceGraph(Dictionary<string, Dictionary<string, string>> uses) => Uses = uses;

        /// <summary>For each namespace, the siblings it uses (with the namespaces inside both), each with "type uses type".</summary>
        public Dictionary<string, Dictionary<string, string>> Uses { get; }

        public static NamespaceGraph Of(string assemblyPath)
        {
            // Only the library's own namespaces: not those of code generators (__OptionValidationStaticInstances, ...).
            string root = Path.GetFileNameWithoutExtension(assemblyPath);
            var types = TypeReferences.Of(assemblyPath).Where(t => t.Key.StartsWith(root + ".", StringComparison.Ordinal)).ToDictionary();
            var uses = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
            foreach (var (type, used) in types.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                foreach (var other in used.Where(types.ContainsKey).Order(StringComparer.Ordinal))
                {
                    if (Siblings(NamespaceOf(type), NamespaceOf(other)) is var (fromSibling, toSibling))
                    {
                        uses.TryAdd(toSibling, new(StringComparer.Ordinal));
                        var edges = uses.TryGetValue(fromSibling, out var known) ? known : uses[fromSibling] = new(StringComparer.Ordinal);
                        edges.TryAdd(toSibling, $"{type} uses {other}");
                    }
                }
            }

            return new NamespaceGraph(uses);
        }

        /// <summary>The shortest cycle through each namespace that is in one, as "A -> B -> A" with the uses that make it.</summary>
        public List<string> Cycles()
        {
            var cycles = new List<string>();
            foreach (var start in Uses.Keys.Order(StringComparer.Ordinal))
            {
                if (ShortestCycleThrough(start) is not { } path)
                {
                    continue;
                }

                // Each cycle once, told from its first namespace in order.
                int first = path.IndexOf(path.Min(StringComparer.Ordinal)!);
                path = [.. path[first..^1], .. path[..first], path[first]];
                string cycle = string.Join(" -> ", path) + "\n" + string.Join("\n", path.Zip(path.Skip(1)).Select(s => "  " + Uses[s.First][s.Second]));
                if (!cycles.Contains(cycle))
                {
                    cycles.Add(cycle);
                }
            }

            return cycles;
        }

        /// <summary>The shortest path of uses from <paramref name="start"/> back to itself, if there is one.</summary>
        private List<string>? ShortestCycleThrough(string start)
        {
            var cameFrom = new Dictionary<string, string>(StringComparer.Ordinal);
            var queue = new Queue<string>([start]);
            while (queue.TryDequeue(out var from))
            {
                foreach (var next in Uses[from].Keys.Order(StringComparer.Ordinal))
                {
                    if (!cameFrom.TryAdd(next, from))
                    {
                        continue;
                    }

                    if (next == start)
                    {
                        var path = new List<string> { start };
                        for (string at = from; at != start; at = cameFrom[at])
                        {
                            path.Add(at);
                        }

                        path.Add(start);
                        path.Reverse();
                        return path;
                    }

                    queue.Enqueue(next);
                }
            }

            return null;
        }

        /// <summary>
        /// The two namespaces under one parent that hold <paramref name="from"/> and <paramref name="to"/>, or null when
        /// one holds the other (a namespace and those inside it may use each other, as C# lets them without a using).
        /// </summary>
        private static (string From, string To)? Siblings(string from, string to)
        {
            string[] fromParts = from.Split('.'), toParts = to.Split('.');
            int common = fromParts.Zip(toParts).TakeWhile(p => p.First == p.Second).Count();
            return common == fromParts.Length || common == toParts.Length
                ? null
                : (string.Join('.', fromParts[..(common + 1)]), string.Join('.', toParts[..(common + 1)]));
        }

        private static string NamespaceOf(string type) => type[..type.LastIndexOf('.')];
    }
}
