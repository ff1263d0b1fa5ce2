using System.Reflection;
using System.Text.Json.Serialization;
using Stagecast.Server.Features.Realtime.Protocol;
using Stagecast.Testing;

namespace Stagecast.Server.Tests.Meetings;

/// <summary>docs/realtime.md is the channel's contract: every message the code knows is described there.</summary>
public sealed class RealtimeProtocolTests
{
    private static readonly string Documentation = File.ReadAllText(Path.Combine(Browser.RepositoryRoot(), "docs", "realtime.md"));

    public static TheoryData<string> ServerMessages() =>
        [.. typeof(RealtimeMessage).GetCustomAttributes<JsonDerivedTypeAttribute>().Select(a => (string)a.TypeDiscriminator!)];

    public static TheoryData<string> ClientRequests() => [.. RealtimeRoutes.All.Keys];

    [Theory]
    [MemberData(nameof(ServerMessages))]
    [MemberData(nameof(ClientRequests))]
    public void EveryMessageTypeIsDocumented(string type) =>
        Assert.True(Documentation.Contains($"`{type}`", StringComparison.Ordinal), $"docs/realtime.md does not describe `{type}`");

    [Fact]
    public void EveryServerMessageIsOneRecordWithOneName()
    {
        var names = typeof(RealtimeMessage).GetCustomAttributes<JsonDerivedTypeAttribute>().ToList();
        Assert.Equal(names.Count, names.Select(a => a.DerivedType).Distinct().Count());
        Assert.Equal(names.Count, names.Select(a => a.TypeDiscriminator).Distinct().Count());
        var concrete = typeof(RealtimeMessage).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(RealtimeMessage)) && !t.IsAbstract);
        Assert.All(concrete, t => Assert.Contains(names, a => a.DerivedType == t)); // none sent without a name
    }
}
