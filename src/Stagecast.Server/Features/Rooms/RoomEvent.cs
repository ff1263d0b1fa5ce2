using Stagecast.Server.Features.Livestreams;
using Stagecast.Server.Features.MeetingLivestreams;
using Stagecast.Server.Features.MeetingSessions;
using Stagecast.Server.Features.Presets;

namespace Stagecast.Server.Features.Rooms;

// What happens in a meeting room, as each peer's front end hears it (IRoomClient.Notify); the front end writes the
// events it knows in its protocol. A feature above the rooms adds its own by deriving a record from RoomEvent and
// publishing it (MeetingRoom.Publish), as room streams do. Records that carry a RoomPeer are read when notified.

/// <summary>Something that happened in a meeting room.</summary>
public abstract record RoomEvent;

/// <summary>Breakout rooms were made in the room's group of connected meetings (<see cref="ConnectedMeetings"/>).</summary>
public sealed record ConnectedRoomsUpdated(IReadOnlyList<Meetings.Meeting> Rooms) : RoomEvent;

/// <summary>Breakout rooms of the room's group were closed (<see cref="ConnectedMeetings.CloseAsync"/>).</summary>
public sealed record ConnectedRoomsDeleted(IReadOnlyList<Meetings.Meeting> Rooms) : RoomEvent;

/// <summary>The group of connected meetings changed: who is in which meeting now (<see cref="ConnectedMeetings"/>).</summary>
public sealed record ConnectedMeetingsChanged(ConnectedMeetingsView Group) : RoomEvent;

/// <summary>
/// To one peer only: it is moved to meeting <paramref name="MeetingId"/> of its group, where <paramref name="Token"/> is
/// its participant's token (a secret: never logged, never sent to another peer).
/// </summary>
public sealed record TransferredTo(string MeetingId, string Token) : RoomEvent
{
    public override string ToString() => $"TransferredTo {{ MeetingId = {MeetingId} }}"; // never the token
}

/// <summary>A peer entered the room (hidden peers are never announced).</summary>
public sealed record PeerJoined(RoomPeer Peer) : RoomEvent;

/// <summary>A peer is gone: <c>left</c>, <c>disconnected</c> (its reconnect grace ran out), <c>kicked</c> or <c>moved</c> (to another meeting of its group).</summary>
public sealed record PeerLeft(RoomPeer Peer, string Reason) : RoomEvent;

/// <summary>A peer's name, or what it publishes, changed.</summary>
public sealed record PeerUpdated(RoomPeer Peer) : RoomEvent;

/// <summary>Who speaks now, from the audio levels of what the peers publish.</summary>
public sealed record ActiveSpeakerChanged(string PeerId) : RoomEvent;

/// <summary>A chat message, to peers whose preset lets them receive chat (of a private one, its sender and recipients: <see cref="ChatMessage.IsFor"/>).</summary>
public sealed record ChatPosted(ChatMessage Message) : RoomEvent;

/// <summary>
/// A chat message was edited, pinned or unpinned, or deleted by the peer <paramref name="By"/>; to those it is for, as
/// <see cref="ChatPosted"/> (<paramref name="Message"/> as it is now; as it was, when deleted).
/// </summary>
public sealed record ChatChanged(ChatMessage Message, ChatChange Change, RoomPeer By) : RoomEvent;

/// <summary>What happened to a chat message (<see cref="ChatChanged"/>).</summary>
public enum ChatChange
{
    Edited,
    Pinned,
    Deleted,
}

/// <summary>An app message (<see cref="AppMessage"/>), to every peer but its sender, or (<paramref name="ToChosenPeers"/>) to those it names.</summary>
public sealed record AppMessageSent(AppMessage Message, bool ToChosenPeers) : RoomEvent;

/// <summary>A poll was created or voted in, to peers who may see polls; what each sees of it: <see cref="PollView.For"/>.</summary>
public sealed record PollChanged(Poll Poll) : RoomEvent;

/// <summary>To peers who may accept waiting requests: someone started waiting.</summary>
public sealed record WaiterAdded(WaitlistedView Waiter) : RoomEvent;

/// <summary>To peers who may accept waiting requests: someone stopped waiting (<c>accepted</c>, <c>rejected</c> or <c>left</c>).</summary>
public sealed record WaiterRemoved(string WaitlistId, string Reason) : RoomEvent;

/// <summary>
/// A peer moved on or off the stage: <paramref name="Status"/> is where it stands now, <paramref name="Change"/> what
/// moved it, <paramref name="By"/> who did (the peer itself, a host; null: the app, through the REST API). To every
/// peer (a hidden peer's only to itself); the peer learns its own requests granted, denied or kicked this way.
/// </summary>
public sealed record StageChanged(RoomPeer Peer, StageStatus Status, StageChange Change, RoomPeer? By) : RoomEvent;

/// <summary>To peers who may accept stage requests: who asks for the stage now, oldest request first (the whole list, on each change).</summary>
public sealed record StageRequestsChanged(IReadOnlyList<RoomPeer> Requests) : RoomEvent;

/// <summary>The meeting's livestream changed (<paramref name="Change"/>); <see cref="Stage"/> is where it is now.</summary>
public sealed record LivestreamChanged(MeetingLivestreamChange Change, LivestreamView Livestream, string? Error) : RoomEvent
{
    public LivestreamStage Stage => LivestreamStages.Of(Livestream);
}

/// <summary>How many players watch the meeting's livestream now.</summary>
public sealed record ViewerCountChanged(string LivestreamId, int Count) : RoomEvent;

/// <summary>
/// To one peer: <paramref name="By"/> (a host) changed its permissions for the session by <paramref name="Patch"/>;
/// <see cref="RoomPeer.Permissions"/> holds them all now.
/// </summary>
public sealed record PermissionsChanged(PermissionPatch Patch, RoomPeer By) : RoomEvent;

/// <summary>To one peer: a host, the API or the end of the session removed it, for <paramref name="Reason"/>; its connection ends.</summary>
public sealed record Kicked(string Reason) : RoomEvent;

/// <summary>To the former connection of a peer that continues on a newer one; this one ends.</summary>
public sealed record Replaced : RoomEvent;

/// <summary>A plugin was opened for the meeting (<see cref="RoomPlugins.Activate"/>); to every peer, its opener too.</summary>
public sealed record PluginActivated(ActivePlugin Plugin) : RoomEvent;

/// <summary>A plugin was closed for the meeting by the peer <paramref name="By"/> (its room id) at <paramref name="At"/>; to every peer.</summary>
public sealed record PluginDeactivated(string PluginId, string By, DateTimeOffset At) : RoomEvent;

/// <summary>
/// Keys of a plugin's shared store were set (or, <paramref name="Deleted"/>, removed), each by the peer its entry names
/// (its room id); to every peer, the writer too (its client tells its own writes by the peer id).
/// </summary>
public sealed record PluginStoreChanged(string PluginId, string Store, IReadOnlyList<PluginStoreEntry> Items, bool Deleted) : RoomEvent;

/// <summary>
/// A plugin's own event (JSON) from the peer <paramref name="From"/> (its room id): to every other peer, or
/// (<paramref name="ToChosenPeers"/>) to those its sender named. Not kept.
/// </summary>
public sealed record PluginEventSent(string PluginId, byte[] Data, string From, bool ToChosenPeers) : RoomEvent;

/// <summary>A plugin's shared store was wiped; to every peer.</summary>
public sealed record PluginStoreDropped(string PluginId, string Store) : RoomEvent;
