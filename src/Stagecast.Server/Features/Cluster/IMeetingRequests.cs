namespace Stagecast.Server.Features.Cluster;

/// <summary>
/// Requests that act on a meeting, which lives on one node in a cluster (its room, channel and media): the features
/// that serve them say which meeting, and the cluster forwards each to the meeting's node.
/// </summary>
public interface IMeetingRequests
{
    /// <summary>The meeting <paramref name="request"/> acts on, or null when it is not one of this feature's requests.</summary>
    MeetingRequest? Match(HttpRequest request);
}

/// <param name="MeetingId">The meeting.</param>
/// <param name="Opens">
/// Whether the request may bring the meeting to this node when no node has it yet (a participant arriving); otherwise it
/// is only forwarded to the node that has it (the API on a meeting in progress).
/// </param>
public readonly record struct MeetingRequest(string MeetingId, bool Opens);
