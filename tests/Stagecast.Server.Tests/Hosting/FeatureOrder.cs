namespace Stagecast.Server.Tests.Hosting;

/// <summary>
/// The features as the compiled server composes them: the order from the <c>AddX(IServiceCollection)</c> calls of
/// <c>StagecastApp.Build</c>, each named by the folder under <c>Features/</c> its type is in. The house's rule
/// (<see cref="FeatureOrderTests"/>) and the docs (<see cref="Docs.ArchitectureDocTests"/>) read the same order.
/// </summary>
public static class FeatureOrder
{
    private const string Features = "Stagecast.Server.Features.";

    /// <summary>The compiled server.</summary>
    public static string Assembly { get; } = typeof(StagecastApp).Assembly.Location;

    /// <summary>The features in the order <c>StagecastApp.Build</c> adds them.</summary>
    public static List<string> Added() =>
        [.. TypeReferences.CallsIn(Assembly, typeof(StagecastApp).FullName!, nameof(StagecastApp.Build))
            .Where(c => c.Name.StartsWith("Add", StringComparison.Ordinal) && c.FirstParameter == "Microsoft.Extensions.DependencyInjection.IServiceCollection")
            .Select(c => FeatureOf(c.Type))
            .OfType<string>()];

    /// <summary>The feature a type belongs to (<c>Stagecast.Server.Features.{Feature}...</c>), or null for a type outside the features.</summary>
    public static string? FeatureOf(string type) =>
        type.StartsWith(Features, StringComparison.Ordinal) ? type[Features.Length..].Split('.')[0] : null;
}
