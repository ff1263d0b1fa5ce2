using Stagecast.Server.Features.Participants;
using Stagecast.Server.Features.Presets;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// What one node asks another about a group of breakout rooms (<see cref="ConnectedMeetings"/>): the group's changes,
/// asked of the node making them (<see cref="GroupOp.View"/> to <see cref="GroupOp.Broadcast"/>), and what they need
/// of the rooms on other nodes (<see cref="GroupOp.Peers"/> to <see cref="GroupOp.Changed"/>). No token and no stream
/// key goes this way: a moved person's token is made on the node its client is on. <see cref="Nodes.GroupNodes"/> puts it
/// on the wire.
/// </summary>
public sealed record GroupRequest(GroupOp Op, string MeetingId)
{
    /// <summary>Who asks (a change of the group): a peer on the asking node.</summary>
    public GroupActor? By { get; init; }

    /// <summary>Titles of rooms to make.</summary>
    public IReadOnlyList<string>? Titles { get; init; }

    /// <summary>Meetings named: rooms to close, meetings whose peers are asked for, told or sent a message.</summary>
    public IReadOnlyList<string>? Ids { get; init; }

    /// <summary>A move's source and destination (<see cref="MeetingId"/> is the meeting asked from).</summary>
    public string? SourceId { get; init; }

    public string? DestinationId { get; init; }

    /// <summary>Participants to move, by their ids in the source, each with the preset it takes there (or its own).</summary>
    public IReadOnlyList<MoveOrder>? Who { get; init; }

    /// <summary>What the group's peers are told (<see cref="GroupOp.Tell"/>).</summary>
    public GroupEvent? Event { get; init; }

    /// <summary>An app message to whole meetings of the group.</summary>
    public GroupMessage? Message { get; init; }
}

public enum GroupOp
{
    View,
    Create,
    Move,
    Close,
    Broadcast,
    Peers,
    Transfer,
    Tell,
    Deliver,
    Changed,
}

/// <summary>The answer: the group, meetings made or closed, peers, people moved, or how many peers a message reached.</summary>
public sealed record GroupAnswer
{
    public ConnectedMeetingsView? View { get; init; }

    public IReadOnlyList<string>? MeetingIds { get; init; }

    public IReadOnlyList<GroupMember>? Peers { get; init; }

    public IReadOnlyList<Transit>? Moved { get; init; }

    public int Reached { get; init; }
}

/// <summary>A peer acting on the group: what the group's rules read of it.</summary>
public sealed record GroupActor(string PeerId, Participant Participant, string? Name, bool CanAlter, bool CanSwitch, bool CanSwitchToParent)
{
    public static GroupActor Of(RoomPeer peer) => new(peer.Id, Shown(peer.Participant), peer.Name, peer.Permissions.CanAlterConnectedMeetings,
        peer.Permissions.CanSwitchConnectedMeetings, peer.Permissions.CanSwitchToParentMeeting);

    /// <summary>A stand-in for the peer on this node (a message's sender): none of its other permissions are known here.</summary>
    public RoomPeer StandIn() => new(PeerId, Participant, PresetPermissions.None, Name, DateTimeOffset.UnixEpoch);

    /// <summary>A participant as another node may read it: without its token id.</summary>
    public static Participant Shown(Participant participant) => participant with { TokenId = "" };
}

/// <summary>One person to move, and the preset it takes in the destination (its own when null).</summary>
public sealed record MoveOrder(string ParticipantId, string? PresetId);

/// <summary>A peer of a meeting of the group, as the group's rules read it.</summary>
public sealed record GroupMember(string MeetingId, Participant Participant, string? Name, bool Hidden, bool Connected);

/// <summary>A change the group's peers hear of: rooms made or closed (by id), or who is where.</summary>
public sealed record GroupEvent(IReadOnlyList<string>? Made, IReadOnlyList<string>? Closed, ConnectedMeetingsView? Group);

/// <summary>An app message from a peer of the group.</summary>
public sealed record GroupMessage(string Type, byte[] Payload, GroupActor From, DateTimeOffset SentAt);

/// <summary>Other nodes, asked about a group of breakout rooms: absent on a single node.</summary>
public interface IGroupNodes
{
    /// <summary>The node holding the meeting's lease when it is another one; null when this node holds it, or none does.</summary>
    ValueTask<string?> OtherNodeOfAsync(string meetingId, CancellationToken cancellationToken);

    /// <summary>Takes the meeting's lease for this node unless another node holds it: that node, or null when this node holds it now.</summary>
    ValueTask<string?> ClaimAsync(string meetingId, CancellationToken cancellationToken);

    /// <summary><paramref name="request"/> answered by node <paramref name="node"/> (<see cref="ConnectedMeetings.AnswerAsync"/> there).</summary>
    Task<GroupAnswer> AskAsync(string node, GroupRequest request, CancellationToken cancellationToken);
}
