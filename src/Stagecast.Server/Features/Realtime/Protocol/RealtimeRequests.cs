using System.ComponentModel.DataAnnotations;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Hosting.Api;

namespace Stagecast.Server.Features.Realtime.Protocol;

/// <summary><c>join</c>: a display name, and the peer id to continue after a reconnect.</summary>
[OptionalBody]
public sealed record JoinRequest
{
    [StringLength(256)]
    public string? Name { get; init; }

    [StringLength(64)]
    public string? PeerId { get; init; }
}

/// <summary><c>peer_update</c>: what a peer shows of itself.</summary>
[OptionalBody]
public sealed record PeerUpdateRequest
{
    [StringLength(256)]
    public string? Name { get; init; }

    public bool? AudioEnabled { get; init; }

    public bool? VideoEnabled { get; init; }

    public bool? ScreenshareEnabled { get; init; }
}

/// <summary><c>media_state</c>: the client muted (false) or unmuted (true) its microphone or camera.</summary>
[OptionalBody]
public sealed record MediaStateRequest
{
    public bool? AudioEnabled { get; init; }

    public bool? VideoEnabled { get; init; }
}

/// <summary><c>chat_send</c>.</summary>
public sealed record ChatRequest
{
    [Required]
    public string? Text { get; init; }

    /// <summary>Peer ids: a private message to their participants (and the sender) only.</summary>
    [ItemCount(1, MeetingRoom.MaxChatTargets)]
    public IReadOnlyList<string>? To { get; init; }
}

/// <summary><c>chat_edit</c>: the sender's new text for its message.</summary>
public sealed record ChatEditRequest
{
    [Required]
    [StringLength(64)]
    public string? MessageId { get; init; }

    [Required]
    public string? Text { get; init; }
}

/// <summary><c>chat_pin</c>: pins (true) or unpins (false) a public message.</summary>
public sealed record ChatPinRequest
{
    [Required]
    [StringLength(64)]
    public string? MessageId { get; init; }

    [Required]
    public bool? Pinned { get; init; }
}

/// <summary><c>chat_delete</c>.</summary>
public sealed record ChatDeleteRequest
{
    [Required]
    [StringLength(64)]
    public string? MessageId { get; init; }
}

/// <summary><c>poll_vote</c>: the index of the chosen option.</summary>
public sealed record VoteRequest
{
    [Required]
    [StringLength(64)]
    public string? PollId { get; init; }

    [Required]
    public int? Option { get; init; }
}

/// <summary><c>leave</c>, <c>livestream_stop</c>: requests without fields.</summary>
[OptionalBody]
public sealed record EmptyRequest;

/// <summary><c>chat_history</c>, <c>polls_list</c>: the page before the message or poll with this id (the newest page without it).</summary>
[OptionalBody]
public sealed record PageRequest
{
    [StringLength(64)]
    public string? Before { get; init; }
}

/// <summary><c>waitlist_accept</c> and <c>waitlist_reject</c>: a waiting participant, by the id <c>waitlist_added</c> (or the join answer) gave.</summary>
public sealed record WaitlistDecisionRequest
{
    [Required]
    [StringLength(64)]
    public string? WaitlistId { get; init; }
}

/// <summary><c>stage_grant</c>, <c>stage_deny</c> and <c>stage_kick</c>: the peers a host acts on, by peer id or by participant (<c>user_id</c>).</summary>
public sealed record StagePeersRequest : IValidatableObject
{
    [ItemCount(0, 100)]
    public string[]? PeerIds { get; init; }

    [ItemCount(0, 100)]
    public string[]? UserIds { get; init; }

    public bool Matches(RoomPeer peer) => (PeerIds ?? []).Contains(peer.Id) || (UserIds ?? []).Contains(peer.Participant.Id);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if ((PeerIds?.Length ?? 0) + (UserIds?.Length ?? 0) == 0)
        {
            yield return new ValidationResult("\"peer_ids\" or \"user_ids\" must name someone");
        }
    }
}

/// <summary><c>broadcast_send</c>: an app message (its own <c>message_type</c> and a JSON object) to the meeting's other peers, or to those named.</summary>
public sealed record BroadcastRequest
{
    [Required]
    public string? MessageType { get; init; }

    [Required]
    public System.Text.Json.JsonElement? Payload { get; init; }

    [ItemCount(0, 100)]
    public string[]? PeerIds { get; init; }
}
