namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// Ends what a dead node left open (its livestream sessions, its meeting sessions): a feature that writes open work
/// under a node's id registers one, and the live node with the smallest id runs them when a node's heartbeat goes.
/// </summary>
public interface IDeadNodeRecovery
{
    /// <summary>Ends what nodes other than <paramref name="liveNodes"/> left open.</summary>
    Task RecoverAsync(IReadOnlyCollection<string> liveNodes, CancellationToken cancellationToken);
}
