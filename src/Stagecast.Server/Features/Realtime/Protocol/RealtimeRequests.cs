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

/// <summary><c>chat_send</c>: a text, or a file uploaded through <c>chat_upload</c> (its <c>link</c>).</summary>
public sealed record ChatRequest : IValidatableObject
{
    public string? Text { get; init; }

    /// <summary>The download link <c>chat_upload</c> answered, once its bytes are uploaded: an image or file message.</summary>
    [StringLength(4096)]
    public string? File { get; init; }

    /// <summary>Peer ids: a private message to their participants (and the sender) only.</summary>
    [ItemCount(1, RoomChat.MaxTargets)]
    public IReadOnlyList<string>? To { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Text is null && File is null)
        {
            yield return new ValidationResult("\"text\" is required");
        }
        else if (Text is not null && File is not null)
        {
            yield return new ValidationResult("a chat message has \"text\" or \"file\", not both");
        }
    }
}

/// <summary><c>chat_upload</c>: the name of a file to send in chat (its type is taken from its extension).</summary>
public sealed record ChatUploadRequest
{
    [Required]
    [StringLength(200)]
    public string? Filename { get; init; }
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

/// <summary>
/// <c>broadcast_send</c>: an app message (its own <c>message_type</c> and a JSON object) to the meeting's other peers,
/// to those named, or to whole meetings of its group of breakout rooms.
/// </summary>
public sealed record BroadcastRequest : IValidatableObject
{
    [Required]
    public string? MessageType { get; init; }

    [Required]
    public System.Text.Json.JsonElement? Payload { get; init; }

    [ItemCount(0, 100)]
    public string[]? PeerIds { get; init; }

    [ItemCount(1, ConnectedMeetings.MaxRooms + 1)]
    public string[]? MeetingIds { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PeerIds is not null && MeetingIds is not null)
        {
            yield return new ValidationResult("name \"peer_ids\" or \"meeting_ids\", not both");
        }
    }
}

/// <summary><c>plugin_activate</c>, <c>plugin_deactivate</c>: a plugin by its id (<c>plugins_list</c>).</summary>
public sealed record PluginIdRequest
{
    [Required]
    [StringLength(PluginLimits.MaxNameLength)]
    public string? PluginId { get; init; }
}

/// <summary>A request on one of a plugin's shared stores.</summary>
public abstract record PluginStoreRequest
{
    [Required]
    [StringLength(PluginLimits.MaxNameLength)]
    public string? PluginId { get; init; }

    [Required]
    [StringLength(PluginLimits.MaxNameLength)]
    public string? Store { get; init; }
}

/// <summary><c>plugin_store_get</c>, <c>plugin_store_delete</c>: keys of a plugin's shared store (<c>get</c>: all of them when none are named).</summary>
public sealed record PluginStoreKeysRequest : PluginStoreRequest
{
    [ItemCount(0, PluginLimits.MaxKeysPerStore)]
    public string[]? Keys { get; init; }
}

/// <summary><c>plugin_store_insert</c>: keys of a plugin's shared store set to JSON values.</summary>
public sealed record PluginStoreInsertRequest : PluginStoreRequest
{
    [Required]
    [ItemCount(1, 100)]
    public PluginStoreItemRequest[]? Items { get; init; }
}

/// <summary>One key of <see cref="PluginStoreInsertRequest"/> and its value (any JSON).</summary>
public sealed record PluginStoreItemRequest
{
    [Required]
    public string? Key { get; init; }

    [Required]
    public System.Text.Json.JsonElement? Value { get; init; }
}

/// <summary><c>connected_meetings_create</c>: breakout rooms to make, by title, in order.</summary>
public sealed record ConnectedMeetingsCreateRequest
{
    [Required]
    [ItemCount(1, ConnectedMeetings.MaxRooms)]
    public string[]? Titles { get; init; }
}

/// <summary><c>connected_meetings_delete</c>: breakout rooms to close (whoever is in them goes back to the parent).</summary>
public sealed record ConnectedMeetingsDeleteRequest
{
    [Required]
    [ItemCount(1, ConnectedMeetings.MaxRooms)]
    public string[]? MeetingIds { get; init; }
}

/// <summary>
/// <c>connected_meetings_move</c>: participants (their ids in the source meeting) moved to another meeting of the
/// group, with another preset there when <c>preset_id</c> names one.
/// </summary>
public sealed record ConnectedMeetingsMoveRequest
{
    [Required]
    [StringLength(64)]
    public string? SourceMeetingId { get; init; }

    [Required]
    [StringLength(64)]
    public string? DestinationMeetingId { get; init; }

    [Required]
    [ItemCount(1, ConnectedMeetings.MaxMoved)]
    public string[]? ParticipantIds { get; init; }

    [StringLength(64)]
    public string? PresetId { get; init; }
}
