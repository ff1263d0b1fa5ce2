namespace Stagecast.Server.Tests.Hosting;

/// <summary>
/// The house's rule (docs/decisions.md, "The house"): <c>StagecastApp</c> adds the features in order, each feature uses
/// only Hosting and the features added before it, and Hosting uses no feature. Read from the compiled server: the
/// order from the <c>AddX(IServiceCollection)</c> calls of <c>StagecastApp.Build</c>, what each type uses from its
/// metadata and IL (a lambda or an async method counts as the type that wrote it).
/// </summary>
[Trait("Category", "InProcess")]
public sealed class FeatureOrderTests
{
    private const string Hosting = "Stagecast.Server.Hosting";
    private static readonly Dictionary<string, HashSet<string>> Uses = TypeReferences.Of(FeatureOrder.Assembly);

    [Fact]
    public void EveryFeatureIsAddedByStagecastApp()
    {
        var order = FeatureOrder.Added();
        var missing = Uses.Keys.Select(FeatureOrder.FeatureOf).OfType<string>().Distinct().Where(f => !order.Contains(f)).Order().ToList();
        Assert.True(missing.Count == 0, $"features with no Add call in StagecastApp.Build: {string.Join(", ", missing)}");
        Assert.True(order.Distinct().Count() == order.Count, $"a feature is added twice: {string.Join(", ", order)}");
    }

    [Fact]
    public void AFeatureUsesOnlyHostingAndTheFeaturesAddedBeforeIt()
    {
        var order = FeatureOrder.Added();
        var broken = new List<string>();
        foreach (var (type, used) in Uses.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            if (FeatureOrder.FeatureOf(type) is not { } feature)
            {
                continue;
            }

            foreach (var other in used.Order(StringComparer.Ordinal))
            {
                if (FeatureOrder.FeatureOf(other) is { } otherFeature && otherFeature != feature && order.IndexOf(otherFeature) > order.IndexOf(feature))
                {
                    broken.Add($"{type} uses {other}: {feature} must not use {otherFeature}, added after it");
                }
            }
        }

        Assert.True(broken.Count == 0, $"in the order {string.Join(", ", order)}:\n{string.Join("\n", broken)}");
    }

    [Fact]
    public void HostingUsesNoFeature()
    {
        var broken = Uses
            .Where(u => IsHosting(u.Key))
            .SelectMany(u => u.Value.Where(other => FeatureOrder.FeatureOf(other) is not null).Select(other => $"{u.Key} uses {other}: Hosting must not use {FeatureOrder.FeatureOf(other)}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void OnlyTheProgramUsesWhatComposesIt()
    {
        // StagecastApp and CommandLine (namespace Stagecast.Server) compose every feature: nothing they compose uses them.
        var broken = Uses
            .Where(u => IsHosting(u.Key) || FeatureOrder.FeatureOf(u.Key) is not null)
            .SelectMany(u => u.Value.Where(IsCompositionRoot).Select(other => $"{u.Key} uses {other}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void TheRuleSeesAUseAcrossFeaturesInSignaturesAndInCode()
    {
        // The reader itself: what it must find for the rule to mean anything (a field, a constructor parameter, a call).
        var order = FeatureOrder.Added();
        Assert.True(order.IndexOf("Accounts") is >= 0 and var accounts && accounts < order.IndexOf("Apps"), string.Join(", ", order));
        Assert.Contains("Stagecast.Server.Features.Meetings.MeetingService", Uses["Stagecast.Server.Features.Participants.ParticipantService"]);
        Assert.Contains("Stagecast.Server.Hosting.Api.ApiException", Uses["Stagecast.Server.Features.Meetings.MeetingService"]);
        Assert.Contains("Stagecast.Server.Features.Rooms.PeerJoined", Uses["Stagecast.Server.Features.Realtime.ChannelEvents"]); // in a switch's type test
    }

    private static bool IsHosting(string type) => type.StartsWith(Hosting + ".", StringComparison.Ordinal);

    private static bool IsCompositionRoot(string type) =>
        type.StartsWith("Stagecast.Server.", StringComparison.Ordinal) && type.LastIndexOf('.') == "Stagecast.Server".Length;
}
