namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// The nodes of a cluster, for what lives on one node but concerns several: a group of breakout rooms, each room
/// living on the node its first participant reached and its main meeting's node making the group's changes. A
/// request goes to one node (named by the meeting leases) and is answered there by <see cref="INodeRequestHandler"/>.
/// Absent on a single node, where everything is here.
/// </summary>
public interface IMeetingNodes
{
    /// <summary>The node holding the meeting's lease when it is another one; null when this node holds it, or none does.</summary>
    ValueTask<string?> OtherNodeOfAsync(string meetingId, CancellationToken cancellationToken);

    /// <summary>Takes the meeting's lease for this node unless another node holds it: that node, or null when this node holds it now.</summary>
    ValueTask<string?> ClaimAsync(string meetingId, CancellationToken cancellationToken);

    /// <summary>
    /// <paramref name="request"/> (JSON) answered by node <paramref name="nodeId"/>'s handler. A refusal there
    /// (<see cref="Hosting.DomainException"/>, <see cref="Hosting.Api.ApiException"/>) is thrown here as it was; a node
    /// that does not answer in time is a 503 naming it.
    /// </summary>
    Task<string> AskAsync(string nodeId, string request, CancellationToken cancellationToken);
}

/// <summary>Answers what other nodes ask this one (<see cref="IMeetingNodes.AskAsync"/>).</summary>
public interface INodeRequestHandler
{
    Task<string> AnswerAsync(string request, CancellationToken cancellationToken);
}
