using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// Breakout rooms (RealtimeKit's connected meetings): a meeting's rooms are meetings of the same app with it as their
/// parent, each with its own room, session, chat and recordings. A group is a parent and its active rooms; a room
/// made from inside a room hangs from the same parent (rooms have no rooms). Front ends read the group, make and close
/// rooms and move people here; every peer of the group hears of rooms made (<see cref="ConnectedRoomsUpdated"/>) and
/// closed (<see cref="ConnectedRoomsDeleted"/>), and of who is where after a move (<see cref="ConnectedMeetingsChanged"/>).
/// One change of this server's groups is made at a time.
/// </summary>
public sealed class ConnectedMeetings(
    IMeetingStore store, MeetingService meetings, ParticipantService participants, MeetingRooms rooms, ConnectedMeetingTransits transits) : IDisposable
{
    /// <summary>Active rooms a meeting may have at once.</summary>
    public const int MaxRooms = 50;

    /// <summary>Participants one move names at most (as many as one permission update may).</summary>
    public const int MaxMoved = 500;

    private readonly SemaphoreSlim _changes = new(1, 1); // creations and moves are rare; one at a time keeps counts and places honest

    /// <summary>The group <paramref name="meeting"/> is in: its parent (or itself) and the parent's active rooms, with the participants in each now.</summary>
    public async Task<ConnectedMeetingsView> ViewAsync(Meeting meeting, CancellationToken cancellationToken)
    {
        var parent = await ParentOfAsync(meeting, cancellationToken).ConfigureAwait(false);
        var children = await store.ListChildrenAsync(parent.Id, cancellationToken).ConfigureAwait(false);
        return View(parent, children);
    }

    /// <summary>
    /// <paramref name="by"/>, a peer of meeting <paramref name="from"/> that may alter the group, makes rooms titled
    /// <paramref name="titles"/> (in that order); every peer of the group is told before the rooms are returned, so the
    /// one who asked knows them when it moves people in.
    /// </summary>
    public async Task<IReadOnlyList<Meeting>> CreateAsync(RoomPeer by, Meeting from, IReadOnlyList<string> titles, CancellationToken cancellationToken)
    {
        RequireAlter(by, "make breakout rooms");
        if (titles.Count == 0 || titles.Count > MaxRooms)
        {
            throw new DomainException(DomainError.BadRequest, $"name 1 to {MaxRooms} breakout rooms to make");
        }

        if (titles.FirstOrDefault(t => t.Length is 0 or > MeetingRequest.MaxTitleLength) is { } bad)
        {
            throw new DomainException(DomainError.BadRequest, $"a breakout room's title must have 1 to {MeetingRequest.MaxTitleLength} characters ({bad.Length} given)");
        }

        var parent = await ParentOfAsync(from, cancellationToken).ConfigureAwait(false);
        List<Meeting> made = [];
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var existing = await store.ListChildrenAsync(parent.Id, cancellationToken).ConfigureAwait(false);
            if (existing.Count + titles.Count > MaxRooms)
            {
                throw new DomainException(DomainError.Conflict, $"a meeting has at most {MaxRooms} breakout rooms at once ({existing.Count} open)");
            }

            foreach (string title in titles)
            {
                made.Add(await meetings.CreateChildAsync(parent, title, cancellationToken).ConfigureAwait(false));
            }

            Tell([parent, .. existing], new ConnectedRoomsUpdated(made));
        }
        finally
        {
            _changes.Release();
        }

        return made;
    }

    /// <summary>
    /// Moves participants (by their ids in <paramref name="sourceId"/>) to meeting <paramref name="destinationId"/> of
    /// <paramref name="by"/>'s group, as RealtimeKit's <c>moveParticipants</c>: each one's participant there is found or
    /// made (<see cref="ParticipantService.AdmitToConnectedMeetingAsync"/>, under <c>preset_id</c> when given), its
    /// peers are told where to go with a token for it (<see cref="TransferredTo"/>) and leave the source as <c>moved</c>,
    /// and the group is told who is where. All or nothing: every one named must be in the source with a client that
    /// can follow, or on its way to the destination already (then it is not moved again). The rules are SDK 2.0.2's:
    /// <c>can_alter_connected_meetings</c> moves anyone anywhere; otherwise a peer moves only itself, to a room with
    /// <c>can_switch_connected_meetings</c>, to the parent with <c>can_switch_to_parent_meeting</c>, under its own preset.
    /// </summary>
    public async Task MoveAsync(RoomPeer by, Meeting from, string sourceId, string destinationId, IReadOnlyList<(string ParticipantId, string? PresetId)> who,
        CancellationToken cancellationToken)
    {
        if (who.Count == 0 || who.Count > MaxMoved)
        {
            throw new DomainException(DomainError.BadRequest, $"name 1 to {MaxMoved} participants to move");
        }

        var parent = await ParentOfAsync(from, cancellationToken).ConfigureAwait(false);
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var children = await store.ListChildrenAsync(parent.Id, cancellationToken).ConfigureAwait(false);
            Meeting[] group = [parent, .. children];
            var source = InGroup(group, sourceId);
            var destination = InGroup(group, destinationId);
            Authorize(by, who, destination == parent);
            if (source == destination)
            {
                return;
            }

            var room = rooms.Find(source.Id);
            foreach (var (peers, presetId) in Moving(parent.Id, source.Id, room?.Peers ?? [], destination.Id, who))
            {
                await TransferAsync(parent.Id, room!, peers, destination, presetId, cancellationToken).ConfigureAwait(false); // peers of the room
            }

            Tell(group, new ConnectedMeetingsChanged(View(parent, children)));
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>
    /// <paramref name="by"/>, a peer of meeting <paramref name="from"/> that may alter the group, closes its rooms <paramref name="ids"/> (RealtimeKit's <c>deleteMeetings</c>):
    /// whoever is still in one goes back to the parent, as a move would take them (one reconnecting is let go
    /// as the room ends), and the room becomes an INACTIVE meeting, kept with its sessions, chat and recordings. The
    /// group is told which rooms closed (<see cref="ConnectedRoomsDeleted"/>), then who is where.
    /// </summary>
    public async Task<IReadOnlyList<Meeting>> CloseAsync(RoomPeer by, Meeting from, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        RequireAlter(by, "close breakout rooms");
        if (ids.Count == 0 || ids.Count > MaxRooms)
        {
            throw new DomainException(DomainError.BadRequest, $"name 1 to {MaxRooms} breakout rooms to close");
        }

        var parent = await ParentOfAsync(from, cancellationToken).ConfigureAwait(false);
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var children = await store.ListChildrenAsync(parent.Id, cancellationToken).ConfigureAwait(false);
            var closing = ids.Distinct(StringComparer.Ordinal).Select(id => id == parent.Id
                ? throw new DomainException(DomainError.BadRequest, $"meeting {id} is the main meeting, not a breakout room")
                : children.FirstOrDefault(c => c.Id == id) ?? throw new DomainException(DomainError.NotFound, $"meeting {id} is not an open breakout room of this meeting")).ToList();
            List<Meeting> closed = [];
            foreach (var child in closing)
            {
                if (rooms.Find(child.Id) is { } room)
                {
                    foreach (var peers in room.Peers.Where(p => p.Client is not null).GroupBy(p => p.Participant.Id))
                    {
                        await TransferAsync(parent.Id, room, [.. peers], parent, null, cancellationToken).ConfigureAwait(false);
                    }
                }

                closed.Add(await meetings.UpdateAsync(child.AppId, child.Id, new MeetingRequest { Status = "INACTIVE" }, replace: false, cancellationToken).ConfigureAwait(false));
            }

            var open = children.Where(c => !closed.Any(x => x.Id == c.Id)).ToList();
            Tell([parent, .. open], new ConnectedRoomsDeleted(closed));
            Tell([parent, .. open], new ConnectedMeetingsChanged(View(parent, open)));
            return closed;
        }
        finally
        {
            _changes.Release();
        }
    }

    public void Dispose() => _changes.Dispose();

    /// <summary>
    /// An app message to whole meetings of <paramref name="from"/>'s group (RealtimeKit's <c>broadcastMessage</c> to
    /// meeting ids): charged once to its sender, in its own room, and passed on to everyone in each meeting named but
    /// the sender. Only a peer that may alter the group sends one (it reaches every room); the peers reached.
    /// </summary>
    public async Task<int> BroadcastAsync(MeetingRoom from, AppMessage message, IReadOnlyList<string> meetingIds, CancellationToken cancellationToken)
    {
        var sender = message.From ?? throw new ArgumentException("a message to rooms has a sender", nameof(message));
        RequireAlter(sender, "send messages to breakout rooms");

        if (meetingIds.Count == 0 || meetingIds.Count > MaxRooms + 1)
        {
            throw new DomainException(DomainError.BadRequest, $"name 1 to {MaxRooms + 1} meetings to send to");
        }

        var parent = await ParentOfAsync(from.Meeting, cancellationToken).ConfigureAwait(false);
        Meeting[] group = [parent, .. await store.ListChildrenAsync(parent.Id, cancellationToken).ConfigureAwait(false)];
        var named = meetingIds.Distinct(StringComparer.Ordinal).Select(id => InGroup(group, id)).ToList();
        from.AppMessages.Charge(sender);
        return named.Sum(m => rooms.Find(m.Id)?.AppMessages.Deliver(message) ?? 0);
    }

    /// <summary>Sends one participant's peers from <paramref name="room"/> to <paramref name="destination"/>: its participant there, the transit, the push, the leave.</summary>
    private async Task TransferAsync(string group, MeetingRoom room, List<RoomPeer> peers, Meeting destination, string? presetId, CancellationToken cancellationToken)
    {
        var (there, token) = await participants.AdmitToConnectedMeetingAsync(destination, peers[0].Participant, presetId, cancellationToken).ConfigureAwait(false);
        transits.Start(group, peers[0].Participant, there, peers[0].Name);
        foreach (var peer in peers)
        {
            await room.MoveOutAsync(peer, new TransferredTo(destination.Id, token)).ConfigureAwait(false);
        }
    }

    /// <summary>Meeting <paramref name="id"/> of the group; 404 naming it when it is not the parent or an open room.</summary>
    private static Meeting InGroup(IReadOnlyList<Meeting> group, string id) => group.FirstOrDefault(m => m.Id == id)
        ?? throw new DomainException(DomainError.NotFound, $"meeting {id} is not this meeting's or one of its breakout rooms");

    private static void RequireAlter(RoomPeer by, string what)
    {
        if (!by.Permissions.CanAlterConnectedMeetings)
        {
            throw new DomainException(DomainError.Forbidden, $"your preset may not {what} (connected_meetings.can_alter_connected_meetings)");
        }
    }

    private static void Authorize(RoomPeer by, IReadOnlyList<(string ParticipantId, string? PresetId)> who, bool toParent)
    {
        var may = by.Permissions;
        if (may.CanAlterConnectedMeetings)
        {
            return;
        }

        if (who.Count != 1 || who[0].ParticipantId != by.Participant.Id || who[0].PresetId is not null)
        {
            throw new DomainException(DomainError.Forbidden, "your preset may move only yourself, under your own preset (connected_meetings.can_alter_connected_meetings)");
        }

        if (toParent ? !may.CanSwitchToParentMeeting : !may.CanSwitchConnectedMeetings)
        {
            throw new DomainException(DomainError.Forbidden, toParent
                ? "your preset may not go back to the main meeting (connected_meetings.can_switch_to_parent_meeting)"
                : "your preset may not go into breakout rooms (connected_meetings.can_switch_connected_meetings)");
        }
    }

    /// <summary>The peers of each participant named that are to move (those on their way there already are left out); throws naming one that cannot.</summary>
    private List<(List<RoomPeer> Peers, string? PresetId)> Moving(
        string group, string sourceId, IReadOnlyCollection<RoomPeer> inSource, string destinationId, IReadOnlyList<(string ParticipantId, string? PresetId)> who)
    {
        List<(List<RoomPeer>, string?)> moving = [];
        foreach (var (participantId, presetId) in who.DistinctBy(w => w.ParticipantId))
        {
            var peers = inSource.Where(p => p.Participant.Id == participantId).ToList();
            if (peers.Count == 0)
            {
                if (transits.Going(group, participantId, destinationId))
                {
                    continue;
                }

                throw new DomainException(DomainError.NotFound, $"participant {participantId} is not in meeting {sourceId}");
            }

            if (peers.Any(p => p.Client is null))
            {
                throw new DomainException(DomainError.Conflict, $"participant {participantId} is reconnecting; move it once it is back");
            }

            moving.Add((peers, presetId));
        }

        return moving;
    }

    private async Task<Meeting> ParentOfAsync(Meeting meeting, CancellationToken cancellationToken) =>
        meeting.ParentMeetingId is { } parentId ? await store.FindAsync(parentId, cancellationToken).ConfigureAwait(false) ?? meeting : meeting;

    private ConnectedMeetingsView View(Meeting parent, IReadOnlyList<Meeting> children) =>
        new(View(parent.Id, parent), [.. children.Select(c => View(parent.Id, c))]);

    /// <summary>
    /// A meeting of the group with its participants now, each once (a participant with two tabs open is one), hidden
    /// ones left out, and those on their way into it.
    /// </summary>
    private ConnectedMeetingView View(string group, Meeting meeting)
    {
        var present = (rooms.Find(meeting.Id)?.Peers ?? []).Where(p => !p.Hidden).DistinctBy(p => p.Participant.Id).ToList();
        var coming = transits.To(group, meeting.Id, [.. present.Select(p => p.Participant.Id)]);
        return new(meeting.Id, meeting.Title ?? "", [.. present.Select(p => new ConnectedMeetingMember(p.Participant, p.Name)), .. coming.Select(t => new ConnectedMeetingMember(t.To, t.Name))]);
    }

    private void Tell(IEnumerable<Meeting> group, RoomEvent change)
    {
        foreach (var meeting in group)
        {
            rooms.Find(meeting.Id)?.Publish(change);
        }
    }
}
