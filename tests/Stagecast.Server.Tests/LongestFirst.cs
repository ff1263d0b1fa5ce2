using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: TestCollectionOrderer("Stagecast.Server.Tests.LongestFirst", "Stagecast.Server.Tests")]

namespace Stagecast.Server.Tests;

/// <summary>
/// Starts the longest lanes first: the release build, the heavy tests taking turns, and the test that must wait out a
/// minute. xunit runs four collections at a time and starts the next as one ends; one of these starting last would
/// leave the suite waiting on it alone at the end. The rest keep xunit's order (by unique id).
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    private static readonly string[] Longest =
    [
        ReleaseCollection.Name,
        HeavyCollection.Name,
        $"Test collection for {typeof(WebRtc.WhipSessionLifetimeTests).FullName}",
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(c => Array.IndexOf(Longest, c.DisplayName) is var i and >= 0 ? i : Longest.Length)
            .ThenBy(c => c.UniqueID);
}
