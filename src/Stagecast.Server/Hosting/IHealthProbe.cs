namespace Stagecast.Server.Hosting;

/// <summary>
/// Something the node needs to do its work (the database, room on the data directory's disk; Redis, in a cluster):
/// <c>/healthz</c> asks each. Hosting probes the database and the disk; a feature that brings another dependency
/// registers its probe.
/// </summary>
public interface IHealthProbe
{
    /// <summary>What <c>/healthz</c> calls it: <c>database</c>, <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>What <c>/healthz</c> says of it when it fails.</summary>
    string Failure => "unreachable";

    Task<bool> ReachesAsync(CancellationToken cancellationToken);
}
