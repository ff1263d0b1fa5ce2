namespace Stagecast.Server.Hosting;

/// <summary>
/// Something the node needs to do its work and must reach (the database; Redis, in a cluster): <c>/healthz</c> asks
/// each. Hosting probes the database; a feature that brings another dependency registers its probe.
/// </summary>
public interface IHealthProbe
{
    /// <summary>What <c>/healthz</c> calls it: <c>database</c>, <c>redis</c>.</summary>
    string Name { get; }

    Task<bool> ReachesAsync(CancellationToken cancellationToken);
}
