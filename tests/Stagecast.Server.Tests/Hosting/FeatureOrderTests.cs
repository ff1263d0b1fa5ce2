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
    private const string Features = "Stagecast.Server.Features.";
    private const string Hosting = "Stagecast.Server.Hosting";
    private static readonly string Assembly = typeof(StagecastApp).Assembly.Location;
    private static readonly Dictionary<string, HashSet<string>> Uses = TypeReferences.Of(Assembly);

    [Fact]
    public void EveryFeatureIsAddedByStagecastApp()
    {
        var order = RegistrationOrder();
        var missing = Uses.Keys.Select(FeatureOf).OfType<string>().Distinct().Where(f => !order.Contains(f)).Order().ToList();
        Assert.True(missing.Count == 0, $"features with no Add call in StagecastApp.Build: {string.Join(", ", missing)}");
        Assert.True(order.Distinct().Count() == order.Count, $"a feature is added twice: {string.Join(", ", order)}");
    }

    [Fact]
    public void AFeatureUsesOnlyHostingAndTheFeaturesAddedBeforeIt()
    {
        var order = RegistrationOrder();
        var broken = new List<string>();
        foreach (var (type, used) in Uses.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            if (FeatureOf(type) is not { } feature)
            {
                continue;
            }

            foreach (var other in used.Order(StringComparer.Ordinal))
            {
                if (FeatureOf(other) is { } otherFeature && otherFeature != feature && order.IndexOf(otherFeature) > order.IndexOf(feature))
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
            .SelectMany(u => u.Value.Where(other => FeatureOf(other) is not null).Select(other => $"{u.Key} uses {other}: Hosting must not use {FeatureOf(other)}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void OnlyTheProgramUsesWhatComposesIt()
    {
        // StagecastApp and CommandLine (namespace Stagecast.Server) compose every feature: nothing they compose uses them.
        var broken = Uses
            .Where(u => IsHosting(u.Key) || FeatureOf(u.Key) is not null)
            .SelectMany(u => u.Value.Where(IsCompositionRoot).Select(other => $"{u.Key} uses {other}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(broken.Count == 0, string.Join("\n", broken));
    }

    [Fact]
    public void TheRuleSeesAUseAcrossFeaturesInSignaturesAndInCode()
    {
        // The reader itself: what it must find for the rule to mean anything (a field, a constructor parameter, a call).
        var order = RegistrationOrder();
        Assert.True(order.IndexOf("Accounts") is >= 0 and var accounts && accounts < order.IndexOf("Apps"), string.Join(", ", order));
        Assert.Contains("Stagecast.Server.Features.Meetings.MeetingService", Uses["Stagecast.Server.Features.Participants.ParticipantService"]);
        Assert.Contains("Stagecast.Server.Hosting.Api.ApiException", Uses["Stagecast.Server.Features.Meetings.MeetingService"]);
        Assert.Contains("Stagecast.Server.Features.Rooms.PeerJoined", Uses["Stagecast.Server.Features.Realtime.ChannelEvents"]); // in a switch's type test
    }

    /// <summary>The features in the order <c>StagecastApp.Build</c> adds them.</summary>
    private static List<string> RegistrationOrder() =>
        [.. TypeReferences.CallsIn(Assembly, typeof(StagecastApp).FullName!, nameof(StagecastApp.Build))
            .Where(c => c.Name.StartsWith("Add", StringComparison.Ordinal) && c.FirstParameter == "Microsoft.Extensions.DependencyInjection.IServiceCollection")
            .Select(c => FeatureOf(c.Type))
            .OfType<string>()];

    private static string? FeatureOf(string type) =>
        type.StartsWith(Features, StringComparison.Ordinal) ? type[Features.Length..].Split('.')[0] : null;

    private static bool IsHosting(string type) => type.StartsWith(Hosting + ".", StringComparison.Ordinal);

    private static bool IsCompositionRoot(string type) =>
        type.StartsWith("Stagecast.Server.", StringComparison.Ordinal) && type.LastIndexOf('.') == "Stagecast.Server".Length;
}
