using System.Text.Json.Serialization;
using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Rooms;
using Stagecast.Server.Features.RoomStreams;
using Stagecast.Server.Features.Transcription;

namespace Stagecast.Server.Features.Realtime.Protocol;

// The realtime channel's protocol: every message the server sends, by its "type" (docs/realtime.md describes each).
// Adding one is a record here and its [JsonDerivedType] line; the requests a client sends are in RealtimeRequests.cs.

/// <summary>A message from the server to a client; <c>type</c> names it.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(OkMessage), "ok")]
[JsonDerivedType(typeof(ErrorMessage), "error")]
[JsonDerivedType(typeof(PongMessage), "pong")]
[JsonDerivedType(typeof(PeerJoinedMessage), "peer_joined")]
[JsonDerivedType(typeof(PeerLeftMessage), "peer_left")]
[JsonDerivedType(typeof(PeerUpdatedMessage), "peer_updated")]
[JsonDerivedType(typeof(ActiveSpeakerMessage), "active_speaker")]
[JsonDerivedType(typeof(ChatMessageEvent), "chat_message")]
[JsonDerivedType(typeof(ChatUpdatedMessage), "chat_updated")]
[JsonDerivedType(typeof(ChatDeletedMessage), "chat_deleted")]
[JsonDerivedType(typeof(PollUpdatedMessage), "poll_updated")]
[JsonDerivedType(typeof(LivestreamInvokedMessage), "livestream_invoked")]
[JsonDerivedType(typeof(LivestreamStartedMessage), "livestream_started")]
[JsonDerivedType(typeof(LivestreamErroredMessage), "livestream_errored")]
[JsonDerivedType(typeof(LivestreamStoppedMessage), "livestream_stopped")]
[JsonDerivedType(typeof(ViewerCountMessage), "viewer_count")]
[JsonDerivedType(typeof(DownlinkMessage), "downlink")]
[JsonDerivedType(typeof(KickedMessage), "kicked")]
[JsonDerivedType(typeof(PermissionsUpdatedMessage), "permissions_updated")]
[JsonDerivedType(typeof(StreamStartedMessage), "stream_started")]
[JsonDerivedType(typeof(WaitlistedMessage), "waitlisted")]
[JsonDerivedType(typeof(WaitlistAddedMessage), "waitlist_added")]
[JsonDerivedType(typeof(WaitlistRemovedMessage), "waitlist_removed")]
[JsonDerivedType(typeof(StreamEndedMessage), "stream_ended")]
[JsonDerivedType(typeof(RecordingUpdatedMessage), "recording_updated")]
[JsonDerivedType(typeof(StageUpdatedMessage), "stage_updated")]
[JsonDerivedType(typeof(StageRequestsMessage), "stage_requests")]
[JsonDerivedType(typeof(BroadcastMessageEvent), "broadcast_message")]
[JsonDerivedType(typeof(TranscriptMessage), "transcript")]
[JsonDerivedType(typeof(PluginActivatedMessage), "plugin_activated")]
[JsonDerivedType(typeof(PluginDeactivatedMessage), "plugin_deactivated")]
[JsonDerivedType(typeof(PluginStoreUpdatedMessage), "plugin_store_updated")]
[JsonDerivedType(typeof(PluginStoreDeletedMessage), "plugin_store_deleted")]
[JsonDerivedType(typeof(ConnectedMeetingsCreatedMessage), "connected_meetings_created")]
[JsonDerivedType(typeof(ConnectedMeetingsDeletedMessage), "connected_meetings_deleted")]
[JsonDerivedType(typeof(ConnectedMeetingsUpdatedMessage), "connected_meetings_updated")]
[JsonDerivedType(typeof(MovedMessage), "moved")]
public abstract record RealtimeMessage;

/// <summary>A request's answer: <c>id</c> echoes the request's, <c>data</c> is what it asked for.</summary>
public sealed record OkMessage(string? Id, RealtimeAnswer Data) : RealtimeMessage;

/// <summary>A request refused (or a message that could not be read: <c>id</c> null); <c>code</c> as in docs/realtime.md.</summary>
public sealed record ErrorMessage(string? Id, int Code, string Message) : RealtimeMessage;

public sealed record PongMessage(string? Id) : RealtimeMessage;

public sealed record PeerJoinedMessage(PeerView Peer) : RealtimeMessage;

public sealed record PeerLeftMessage(string PeerId, string UserId, string Reason) : RealtimeMessage;

public sealed record PeerUpdatedMessage(PeerView Peer) : RealtimeMessage;

/// <summary>Who speaks now, from the audio levels of what the peers publish.</summary>
public sealed record ActiveSpeakerMessage(string PeerId) : RealtimeMessage;

public sealed record ChatMessageEvent(ChatView Message) : RealtimeMessage;

/// <summary>A chat message was edited, pinned or unpinned: the message as it is now.</summary>
public sealed record ChatUpdatedMessage(ChatView Message) : RealtimeMessage;

/// <summary>A chat message was deleted; <c>by</c> is the peer that deleted it.</summary>
public sealed record ChatDeletedMessage(string MessageId, string By) : RealtimeMessage;

public sealed record PollUpdatedMessage(PollView Poll) : RealtimeMessage;

/// <summary>The meeting's livestream changed: <see cref="LivestreamInvokedMessage"/> and its siblings name how.</summary>
public abstract record LivestreamMessage(LivestreamChannelView Livestream, string? Error) : RealtimeMessage;

public sealed record LivestreamInvokedMessage(LivestreamChannelView Livestream, string? Error) : LivestreamMessage(Livestream, Error);

public sealed record LivestreamStartedMessage(LivestreamChannelView Livestream, string? Error) : LivestreamMessage(Livestream, Error);

public sealed record LivestreamErroredMessage(LivestreamChannelView Livestream, string? Error) : LivestreamMessage(Livestream, Error);

public sealed record LivestreamStoppedMessage(LivestreamChannelView Livestream, string? Error) : LivestreamMessage(Livestream, Error);

public sealed record ViewerCountMessage(string LivestreamId, int Count) : RealtimeMessage;

public sealed record DownlinkMessage(int PausedVideos) : RealtimeMessage;

public sealed record KickedMessage(string Reason) : RealtimeMessage;

/// <summary>A host (<paramref name="By"/>, a peer id) changed this peer's permissions for the session: all of them now.</summary>
public sealed record PermissionsUpdatedMessage(ChannelPermissions Permissions, string By) : RealtimeMessage;

/// <summary>Breakout rooms of this meeting's group were made (in the order asked for).</summary>
public sealed record ConnectedMeetingsCreatedMessage(IReadOnlyList<ConnectedRoomView> Meetings) : RealtimeMessage;

/// <summary>Breakout rooms of this meeting's group were closed: whoever was in them is on the way back to the parent.</summary>
public sealed record ConnectedMeetingsDeletedMessage(IReadOnlyList<ConnectedRoomView> Meetings) : RealtimeMessage;

/// <summary>Who is in which meeting of the group now, after a move: the parent and its open breakout rooms.</summary>
public sealed record ConnectedMeetingsUpdatedMessage(ConnectedMeetingChannelView ParentMeeting, IReadOnlyList<ConnectedMeetingChannelView> Meetings) : RealtimeMessage;

/// <summary>
/// To the moved peer only: it is in meeting <paramref name="MeetingId"/> of its group now, which it joins with
/// <paramref name="Token"/> (a participant token of its own there); the socket closes after it (4002).
/// </summary>
public sealed record MovedMessage(string MeetingId, string Token) : RealtimeMessage
{
    public override string ToString() => $"MovedMessage {{ MeetingId = {MeetingId} }}"; // never the token
}

/// <summary>What an <c>ok</c> carries, by request (written as its own type, without a discriminator).</summary>
[JsonDerivedType(typeof(EmptyAnswer))]
[JsonDerivedType(typeof(JoinAnswer))]
[JsonDerivedType(typeof(SelfAnswer))]
[JsonDerivedType(typeof(ChatAnswer))]
[JsonDerivedType(typeof(PollAnswer))]
[JsonDerivedType(typeof(LivestreamAnswer))]
[JsonDerivedType(typeof(ChatPageAnswer))]
[JsonDerivedType(typeof(PollsPageAnswer))]
[JsonDerivedType(typeof(StagePeersAnswer))]
[JsonDerivedType(typeof(ChatUploadAnswer))]
[JsonDerivedType(typeof(PluginsAnswer))]
[JsonDerivedType(typeof(PluginAnswer))]
[JsonDerivedType(typeof(PluginStoreAnswer))]
[JsonDerivedType(typeof(ConnectedMeetingsAnswer))]
[JsonDerivedType(typeof(ConnectedRoomsAnswer))]
public abstract record RealtimeAnswer;

public sealed record EmptyAnswer : RealtimeAnswer
{
    public static EmptyAnswer Instance { get; } = new();
}

/// <summary>The answer to <c>join</c>: who the peer is and what the meeting holds now.</summary>
public sealed record JoinAnswer(
    string PeerId,
    bool Resumed,
    PeerView Self,
    ChannelPermissions Permissions,
    IReadOnlyList<PeerView> Peers,
    MeetingInfo Meeting,
    IReadOnlyList<ChatView> Chat,
    IReadOnlyList<PollView> Polls,
    LivestreamChannelView? Livestream,
    IReadOnlyList<WaitlistedView> Waitlisted,
    string? ActiveSpeaker,
    bool MoreChat,
    bool MorePolls,
    RecordingChannelView? Recording,
    IReadOnlyList<StageRequestView> StageRequests,
    IReadOnlyList<PluginView> Plugins) : RealtimeAnswer;

/// <summary>The answer to <c>chat_history</c>: older messages, oldest first, and whether there are older ones still.</summary>
public sealed record ChatPageAnswer(IReadOnlyList<ChatView> Messages, bool More) : RealtimeAnswer;

/// <summary>The answer to <c>polls_list</c>: older polls, oldest first, and whether there are older ones still.</summary>
public sealed record PollsPageAnswer(IReadOnlyList<PollView> Polls, bool More) : RealtimeAnswer;

public sealed record MeetingInfo(string Id, string? Title, string SessionId, DateTimeOffset? StartedAt);

public sealed record SelfAnswer(PeerView Self) : RealtimeAnswer;

public sealed record ChatAnswer(ChatView Message) : RealtimeAnswer;

public sealed record PollAnswer(PollView Poll) : RealtimeAnswer;

public sealed record LivestreamAnswer(LivestreamChannelView Livestream) : RealtimeAnswer;

public sealed record StreamStartedMessage(RoomStreamView Stream) : RealtimeMessage;

public sealed record StreamEndedMessage(RoomStreamView Stream) : RealtimeMessage;

/// <summary>The meeting's recording started, paused, resumed or stopped: everyone in the meeting is told (they are being recorded).</summary>
public sealed record RecordingUpdatedMessage(RecordingChannelView Recording) : RealtimeMessage;

/// <summary>To a participant that asked to join: it waits for a host to let it in (its <c>join</c> is answered then).</summary>
public sealed record WaitlistedMessage(string WaitlistId) : RealtimeMessage;

/// <summary>To peers who may accept waiting requests: someone started waiting.</summary>
public sealed record WaitlistAddedMessage(WaitlistedView Waitlisted) : RealtimeMessage;

/// <summary>To peers who may accept waiting requests: someone stopped waiting (<c>accepted</c>, <c>rejected</c> or <c>left</c>).</summary>
public sealed record WaitlistRemovedMessage(string WaitlistId, string Reason) : RealtimeMessage;

/// <summary>
/// A peer moved on or off the stage: <c>peer</c> as it is now (its <c>stage_status</c>), <c>change</c> what moved it
/// (<c>requested</c>, <c>cancelled</c>, <c>granted</c>, <c>denied</c>, <c>joined</c>, <c>left</c>, <c>kicked</c>) and
/// <c>by</c> the peer who did (itself or a host; null: the app, over REST). To everyone, the peer included.
/// </summary>
public sealed record StageUpdatedMessage(PeerView Peer, string Change, string? By) : RealtimeMessage;

/// <summary>To peers who may accept stage requests: who asks for the stage now, oldest first (the whole list, on each change).</summary>
public sealed record StageRequestsMessage(IReadOnlyList<StageRequestView> Requests) : RealtimeMessage;

/// <summary>The answer to <c>stage_grant</c>, <c>stage_deny</c>, <c>stage_kick</c>: the peers named, as they are now.</summary>
public sealed record StagePeersAnswer(IReadOnlyList<PeerView> Peers) : RealtimeAnswer;

/// <summary>
/// An app message from another peer (<c>peer_id</c>, <c>user_id</c>) or from the app's server (both null): its
/// <c>message_type</c> and <c>payload</c> as sent (its text, checked once where it came in: not parsed per peer),
/// <c>sent_at</c> when the server passed it on.
/// </summary>
public sealed record BroadcastMessageEvent(
    string MessageType, [property: JsonConverter(typeof(RawJsonConverter))] ReadOnlyMemory<byte> Payload, string? PeerId, string? UserId, DateTimeOffset SentAt)
    : RealtimeMessage
{
    public static BroadcastMessageEvent From(AppMessage message) =>
        new(message.Type, message.PayloadUtf8, message.From?.Id, message.From?.Participant.Id, message.SentAt);
}

/// <summary>A participant's words, heard by the server's speech engine (live transcripts).</summary>
public sealed record TranscriptMessage(string Id, string PeerId, string UserId, string CustomParticipantId, string Name, string Text, DateTimeOffset StartedAt,
    DateTimeOffset EndedAt) : RealtimeMessage
{
    public static TranscriptMessage From(TranscriptLine line) =>
        new(line.Id, line.PeerId, line.ParticipantId, line.CustomParticipantId, line.Name, line.Text, line.StartedAt, line.EndedAt);
}

/// <summary>The answer to <c>chat_upload</c>: where to PUT the file's bytes, and the link to send in <c>chat_send</c> once they are there.</summary>
public sealed record ChatUploadAnswer(string UploadUrl, string Link) : RealtimeAnswer;

/// <summary>The answer to <c>plugins_list</c>: the plugins the participant may open, and those open now.</summary>
public sealed record PluginsAnswer(IReadOnlyList<PluginInfoView> Plugins, IReadOnlyList<PluginView> Active) : RealtimeAnswer;

/// <summary>The answer to <c>plugin_activate</c>: the plugin as it is open.</summary>
public sealed record PluginAnswer(PluginView Plugin) : RealtimeAnswer;

/// <summary>The answer to <c>plugin_store_get</c>: the keys asked for that the store holds (all of them when none were named).</summary>
public sealed record PluginStoreAnswer(string PluginId, string Store, IReadOnlyList<PluginStoreItemView> Items) : RealtimeAnswer;

/// <summary>A plugin was opened for the meeting; to every peer, its opener too.</summary>
public sealed record PluginActivatedMessage(PluginView Plugin) : RealtimeMessage;

/// <summary>A plugin was closed for the meeting (<c>by</c>: the peer who closed it); to every peer.</summary>
public sealed record PluginDeactivatedMessage(string PluginId, string By) : RealtimeMessage;

/// <summary>Keys of a plugin's shared store were set, or deleted (<c>deleted</c>: their values are null); to every peer, the writer too.</summary>
public sealed record PluginStoreUpdatedMessage(string PluginId, string Store, IReadOnlyList<PluginStoreItemView> Items, bool Deleted) : RealtimeMessage;

/// <summary>A plugin's shared store was wiped whole; to every peer.</summary>
public sealed record PluginStoreDeletedMessage(string PluginId, string Store) : RealtimeMessage;

/// <summary><c>connected_meetings</c>: the group this meeting is in, its parent and open breakout rooms, with who is in each.</summary>
public sealed record ConnectedMeetingsAnswer(ConnectedMeetingChannelView ParentMeeting, IReadOnlyList<ConnectedMeetingChannelView> Meetings) : RealtimeAnswer;

/// <summary><c>connected_meetings_create</c> and <c>connected_meetings_delete</c>: the rooms made or closed.</summary>
public sealed record ConnectedRoomsAnswer(IReadOnlyList<ConnectedRoomView> Meetings) : RealtimeAnswer;

/// <summary>A breakout room: its meeting id and title.</summary>
public sealed record ConnectedRoomView(string Id, string Title)
{
    public static IReadOnlyList<ConnectedRoomView> Of(IEnumerable<Meeting> rooms) => [.. rooms.Select(r => new ConnectedRoomView(r.Id, r.Title ?? ""))];
}

/// <summary>A meeting of the group with the participants in it (each by its participant id there, its custom id and name).</summary>
public sealed record ConnectedMeetingChannelView(string Id, string Title, IReadOnlyList<ConnectedParticipantView> Participants)
{
    public static ConnectedMeetingChannelView Of(ConnectedMeetingView meeting) => new(meeting.Id, meeting.Title,
        [.. meeting.Members.Select(m => new ConnectedParticipantView(m.Participant.Id, m.Participant.CustomParticipantId, m.Name ?? m.Participant.Name))]);

    public static IReadOnlyList<ConnectedMeetingChannelView> Of(IEnumerable<ConnectedMeetingView> meetings) => [.. meetings.Select(Of)];
}

public sealed record ConnectedParticipantView(string Id, string CustomParticipantId, string? Name);
