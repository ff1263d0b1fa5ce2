namespace Stagecast.Server.Features.Cluster;

/// <summary>Which node owns (packages, records, counts) a stream: the node its publisher reached, through a lease.</summary>
public interface IStreamOwnership
{
    /// <summary>Takes (or keeps) the stream's lease for this node; refused while another node holds it.</summary>
    ValueTask<StreamLease> AcquireAsync(string streamId, CancellationToken cancellationToken);

    /// <summary>The HTTP URL of the node that owns the stream, when that is another node; null when it is this one or nobody.</summary>
    ValueTask<string?> RemoteOwnerUrlAsync(string streamId, CancellationToken cancellationToken);
}

/// <param name="Granted">Whether this node owns the stream now.</param>
/// <param name="Epoch">The lease's fencing epoch (grows with every new owner).</param>
/// <param name="Owner">The owning node's id.</param>
/// <param name="OwnerUrl">Where the owning node is reached, when it is another node.</param>
public readonly record struct StreamLease(bool Granted, long Epoch, string Owner, string? OwnerUrl);

/// <summary>One node: it owns every stream published to it.</summary>
public sealed class LocalStreamOwnership(Hosting.NodeIdentity node) : IStreamOwnership
{
    public ValueTask<StreamLease> AcquireAsync(string streamId, CancellationToken cancellationToken) => new(new StreamLease(true, 0, node.Id, null));

    public ValueTask<string?> RemoteOwnerUrlAsync(string streamId, CancellationToken cancellationToken) => new((string?)null);
}
