using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Features.Participants;
using Stagecast.Server.Hosting;
using MeetingRequest = Stagecast.Server.Features.Meetings.MeetingRequest;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// Breakout rooms (RealtimeKit's connected meetings): a meeting's rooms are meetings of the same app with it as their
/// parent, each with its own room, session, chat and recordings. A group is a parent and its active rooms; a room
/// made from inside a room hangs from the same parent (rooms have no rooms). Front ends read the group, make and close
/// rooms and move people here; every peer of the group hears of rooms made (<see cref="ConnectedRoomsUpdated"/>) and
/// closed (<see cref="ConnectedRoomsDeleted"/>), and of who is where after a move (<see cref="ConnectedMeetingsChanged"/>).
/// One change of a group is made at a time, by one node: the one holding the parent's lease (<see cref="IGroupNodes"/>;
/// a node asked for a change of a group whose lease nobody holds takes it). In a cluster each room lives where its
/// first participant arrived, like any meeting: that node answers for its peers (who is there, moving them out,
/// telling them, passing them a message) when the group's node asks (<see cref="AnswerAsync"/>).
/// </summary>
public sealed partial class ConnectedMeetings(
    IMeetingStore store, MeetingService meetings, ParticipantService participants, MeetingRooms rooms, ConnectedMeetingTransits transits,
    ILogger<ConnectedMeetings> logger, IGroupNodes? nodes = null) : IDisposable
{
    /// <summary>Active rooms a meeting may have at once.</summary>
    public const int MaxRooms = 50;

    /// <summary>Participants one move names at most (as many as one permission update may).</summary>
    public const int MaxMoved = 500;

    private readonly SemaphoreSlim _changes = new(1, 1); // creations and moves are rare; one at a time keeps counts and places honest

    /// <summary>The group <paramref name="meeting"/> is in: its parent (or itself) and the parent's active rooms, with the participants in each now.</summary>
    public async Task<ConnectedMeetingsView> ViewAsync(Meeting meeting, CancellationToken cancellationToken) =>
        (await ChangeAsync(meeting, new GroupRequest(GroupOp.View, meeting.Id), cancellationToken).ConfigureAwait(false)).View!;

    /// <summary>
    /// <paramref name="by"/>, a peer of meeting <paramref name="from"/> that may alter the group, makes rooms titled
    /// <paramref name="titles"/> (in that order); every peer of the group is told before the rooms are returned, so the
    /// one who asked knows them when it moves people in.
    /// </summary>
    public async Task<IReadOnlyList<Meeting>> CreateAsync(RoomPeer by, Meeting from, IReadOnlyList<string> titles, CancellationToken cancellationToken)
    {
        var answer = await ChangeAsync(from, new GroupRequest(GroupOp.Create, from.Id) { By = GroupActor.Of(by), Titles = titles }, cancellationToken).ConfigureAwait(false);
        return await FindAllAsync(answer.MeetingIds!, cancellationToken).ConfigureAwait(false);
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
    public Task MoveAsync(RoomPeer by, Meeting from, string sourceId, string destinationId, IReadOnlyList<(string ParticipantId, string? PresetId)> who,
        CancellationToken cancellationToken) =>
        ChangeAsync(from, new GroupRequest(GroupOp.Move, from.Id)
        {
            By = GroupActor.Of(by), SourceId = sourceId, DestinationId = destinationId, Who = [.. who.Select(w => new MoveOrder(w.ParticipantId, w.PresetId))],
        }, cancellationToken);

    /// <summary>
    /// <paramref name="by"/>, a peer of meeting <paramref name="from"/> that may alter the group, closes its rooms <paramref name="ids"/> (RealtimeKit's <c>deleteMeetings</c>):
    /// whoever is still in one goes back to the parent, as a move would take them (one reconnecting is let go
    /// as the room ends), and the room becomes an INACTIVE meeting, kept with its sessions, chat and recordings. The
    /// group is told which rooms closed (<see cref="ConnectedRoomsDeleted"/>), then who is where.
    /// </summary>
    public async Task<IReadOnlyList<Meeting>> CloseAsync(RoomPeer by, Meeting from, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        var answer = await ChangeAsync(from, new GroupRequest(GroupOp.Close, from.Id) { By = GroupActor.Of(by), Ids = ids }, cancellationToken).ConfigureAwait(false);
        return await FindAllAsync(answer.MeetingIds!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// An app message to whole meetings of <paramref name="from"/>'s group (RealtimeKit's <c>broadcastMessage</c> to
    /// meeting ids): charged once to its sender, in its own room, and passed on to everyone in each meeting named but
    /// the sender. Only a peer that may alter the group sends one (it reaches every room); the peers reached.
    /// </summary>
    public async Task<int> BroadcastAsync(MeetingRoom from, AppMessage message, IReadOnlyList<string> meetingIds, CancellationToken cancellationToken)
    {
        var sender = GroupActor.Of(message.From ?? throw new ArgumentException("a message to rooms has a sender", nameof(message)));
        RequireAlter(sender, "send messages to breakout rooms");
        from.AppMessages.Charge(message.From);
        var request = new GroupRequest(GroupOp.Broadcast, from.Meeting.Id)
        {
            By = sender, Ids = meetingIds, Message = new GroupMessage(message.Type, message.PayloadUtf8.ToArray(), sender, message.SentAt),
        };
        return (await ChangeAsync(from.Meeting, request, cancellationToken).ConfigureAwait(false)).Reached;
    }

    public void Dispose() => _changes.Dispose();

    /// <summary>What another node asks of this one: a change of a group whose lease this node holds, or what one needs of the rooms here.</summary>
    public async Task<GroupAnswer> AnswerAsync(GroupRequest asked, CancellationToken cancellationToken)
    {
        switch (asked.Op)
        {
            case GroupOp.Peers:
                return new GroupAnswer { Peers = PeersHere(asked.Ids ?? []) };
            case GroupOp.Transfer:
                return new GroupAnswer { Moved = await TransferHereAsync(asked.MeetingId, asked.DestinationId!, asked.Who ?? [], cancellationToken).ConfigureAwait(false) };
            case GroupOp.Tell:
                var change = await EventOfAsync(asked.Event!, cancellationToken).ConfigureAwait(false);
                foreach (string id in asked.Ids ?? [])
                {
                    rooms.Find(id)?.Publish(change);
                }

                return new GroupAnswer();
            case GroupOp.Deliver:
                return new GroupAnswer { Reached = DeliverHere(asked.Ids ?? [], asked.Message!) };
            case GroupOp.Changed:
                if (await store.FindAsync(asked.MeetingId, cancellationToken).ConfigureAwait(false) is { } meeting)
                {
                    await rooms.OnMeetingChangedAsync(meeting).ConfigureAwait(false);
                }

                return new GroupAnswer();
            default:
                var from = await store.FindAsync(asked.MeetingId, cancellationToken).ConfigureAwait(false)
                    ?? throw new DomainException(DomainError.NotFound, $"meeting {asked.MeetingId} no longer exists");
                return await ChangeHereAsync(await ParentOfAsync(from, cancellationToken).ConfigureAwait(false), asked, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A change of <paramref name="from"/>'s group (or its view), made by the group's node: this one, or the one holding the parent's lease.</summary>
    private async Task<GroupAnswer> ChangeAsync(Meeting from, GroupRequest request, CancellationToken cancellationToken)
    {
        var parent = await ParentOfAsync(from, cancellationToken).ConfigureAwait(false);
        return nodes is not null && await nodes.ClaimAsync(parent.Id, cancellationToken).ConfigureAwait(false) is { } node
            ? await AskAsync(node, request, cancellationToken).ConfigureAwait(false)
            : await ChangeHereAsync(parent, request, cancellationToken).ConfigureAwait(false);
    }

    private async Task<GroupAnswer> ChangeHereAsync(Meeting parent, GroupRequest request, CancellationToken cancellationToken)
    {
        switch (request.Op)
        {
            case GroupOp.View:
                var children = await store.ListChildrenAsync(parent.Id, cancellationToken).ConfigureAwait(false);
                return new GroupAnswer { View = await ViewHereAsync(parent, children, cancellationToken).ConfigureAwait(false) };
            case GroupOp.Create:
                return new GroupAnswer { MeetingIds = await CreateHereAsync(request.By!, parent, request.Titles ?? [], cancellationToken).ConfigureAwait(false) };
            case GroupOp.Move:
                await MoveHereAsync(request.By!, parent, request.SourceId!, request.DestinationId!, request.Who ?? [], cancellationToken).ConfigureAwait(false);
                return new GroupAnswer();
            case GroupOp.Close:
                return new GroupAnswer { MeetingIds = await CloseHereAsync(request.By!, parent, request.Ids ?? [], cancellationToken).ConfigureAwait(false) };
            case GroupOp.Broadcast:
                return new GroupAnswer { Reached = await BroadcastHereAsync(parent, request.Message!, request.Ids ?? [], cancellationToken).ConfigureAwait(false) };
            default:
                throw new DomainException(DomainError.BadRequest, $"{request.Op} is no change of a group");
        }
    }

    private async Task<IReadOnlyList<string>> CreateHereAsync(GroupActor by, Meeting parent, IReadOnlyList<string> titles, CancellationToken cancellationToken)
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

            await TellAsync([parent, .. existing], new ConnectedRoomsUpdated(made), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _changes.Release();
        }

        return [.. made.Select(m => m.Id)];
    }

    private async Task MoveHereAsync(GroupActor by, Meeting parent, string sourceId, string destinationId, IReadOnlyList<MoveOrder> who, CancellationToken cancellationToken)
    {
        if (who.Count == 0 || who.Count > MaxMoved)
        {
            throw new DomainException(DomainError.BadRequest, $"name 1 to {MaxMoved} participants to move");
        }

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

            var inSource = (await PeersAsync([source.Id], cancellationToken).ConfigureAwait(false)).GetValueOrDefault(source.Id) ?? [];
            var moving = Moving(parent.Id, source.Id, inSource, destination.Id, who);
            if (moving.Count > 0)
            {
                await TransferAsync(parent.Id, source.Id, destination.Id, moving, cancellationToken).ConfigureAwait(false);
            }

            await TellAsync(group, new ConnectedMeetingsChanged(await ViewHereAsync(parent, children, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _changes.Release();
        }
    }

    private async Task<IReadOnlyList<string>> CloseHereAsync(GroupActor by, Meeting parent, IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        RequireAlter(by, "close breakout rooms");
        if (ids.Count == 0 || ids.Count > MaxRooms)
        {
            throw new DomainException(DomainError.BadRequest, $"name 1 to {MaxRooms} breakout rooms to close");
        }

        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var children = await store.ListChildrenAsync(parent.Id, cancellationToken).ConfigureAwait(false);
            var closing = ids.Distinct(StringComparer.Ordinal).Select(id => id == parent.Id
                ? throw new DomainException(DomainError.BadRequest, $"meeting {id} is the main meeting, not a breakout room")
                : children.FirstOrDefault(c => c.Id == id) ?? throw new DomainException(DomainError.NotFound, $"meeting {id} is not an open breakout room of this meeting")).ToList();
            var inRooms = await PeersAsync(closing.Select(c => c.Id), cancellationToken).ConfigureAwait(false);
            List<Meeting> closed = [];
            foreach (var child in closing)
            {
                var staying = (inRooms.GetValueOrDefault(child.Id) ?? []).Where(p => p.Connected).Select(p => new MoveOrder(p.Participant.Id, null)).Distinct().ToList();
                if (staying.Count > 0)
                {
                    await TransferAsync(parent.Id, child.Id, parent.Id, staying, cancellationToken).ConfigureAwait(false);
                }

                // Its room ends where it lives: here, or told by RemoteMeetingChanges.
                closed.Add(await meetings.UpdateAsync(child.AppId, child.Id, new MeetingRequest { Status = "INACTIVE" }, replace: false, cancellationToken).ConfigureAwait(false));
            }

            var open = children.Where(c => !closed.Any(x => x.Id == c.Id)).ToList();
            await TellAsync([parent, .. open], new ConnectedRoomsDeleted(closed), cancellationToken).ConfigureAwait(false);
            await TellAsync([parent, .. open], new ConnectedMeetingsChanged(await ViewHereAsync(parent, open, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
            return [.. closed.Select(c => c.Id)];
        }
        finally
        {
            _changes.Release();
        }
    }

    private async Task<int> BroadcastHereAsync(Meeting parent, GroupMessage message, IReadOnlyList<string> meetingIds, CancellationToken cancellationToken)
    {
        RequireAlter(message.From, "send messages to breakout rooms");
        if (meetingIds.Count == 0 || meetingIds.Count > MaxRooms + 1)
        {
            throw new DomainException(DomainError.BadRequest, $"name 1 to {MaxRooms + 1} meetings to send to");
        }

        Meeting[] group = [parent, .. await store.ListChildrenAsync(parent.Id, cancellationToken).ConfigureAwait(false)];
        var named = meetingIds.Distinct(StringComparer.Ordinal).Select(id => InGroup(group, id).Id).ToList();
        int reached = 0;
        foreach (var (node, here) in await PlacesAsync(named, cancellationToken).ConfigureAwait(false))
        {
            reached += node is null
                ? DeliverHere(here, message)
                : (await AskAsync(node, new GroupRequest(GroupOp.Deliver, here[0]) { Ids = here, Message = message }, cancellationToken).ConfigureAwait(false)).Reached;
        }

        return reached;
    }

    /// <summary>Moves people of the group's meeting <paramref name="sourceId"/> to <paramref name="destinationId"/> where the source's room lives, and notes them on their way.</summary>
    private async Task TransferAsync(string group, string sourceId, string destinationId, IReadOnlyList<MoveOrder> who, CancellationToken cancellationToken)
    {
        var moved = await NodeOfAsync(sourceId, cancellationToken).ConfigureAwait(false) is { } node
            ? (await AskAsync(node, new GroupRequest(GroupOp.Transfer, sourceId) { DestinationId = destinationId, Who = who }, cancellationToken).ConfigureAwait(false)).Moved ?? []
            : await TransferHereAsync(sourceId, destinationId, who, cancellationToken).ConfigureAwait(false);
        foreach (var transit in moved)
        {
            transits.Start(group, transit.FromParticipantId, transit.To, transit.Name);
        }
    }

    /// <summary>
    /// Sends each participant named from the room here to <paramref name="destinationId"/>: its participant there and a
    /// token for it (made here, so no token leaves this node but to its client), the push, the leave. Those moved.
    /// </summary>
    private async Task<IReadOnlyList<Transit>> TransferHereAsync(string sourceId, string destinationId, IReadOnlyList<MoveOrder> who, CancellationToken cancellationToken)
    {
        if (rooms.Find(sourceId) is not { } room)
        {
            return [];
        }

        var destination = await store.FindAsync(destinationId, cancellationToken).ConfigureAwait(false)
            ?? throw new DomainException(DomainError.NotFound, $"meeting {destinationId} no longer exists");
        List<Transit> moved = [];
        foreach (var order in who)
        {
            var peers = room.Peers.Where(p => p.Participant.Id == order.ParticipantId && p.Client is not null).ToList();
            if (peers.Count == 0)
            {
                continue;
            }

            var (there, token) = await participants.AdmitToConnectedMeetingAsync(destination, peers[0].Participant, order.PresetId, cancellationToken).ConfigureAwait(false);
            moved.Add(new Transit(order.ParticipantId, GroupActor.Shown(there), peers[0].Name, default));
            foreach (var peer in peers)
            {
                await room.MoveOutAsync(peer, new TransferredTo(destination.Id, token)).ConfigureAwait(false);
            }
        }

        return moved;
    }

    /// <summary>Meeting <paramref name="id"/> of the group; 404 naming it when it is not the parent or an open room.</summary>
    private static Meeting InGroup(IReadOnlyList<Meeting> group, string id) => group.FirstOrDefault(m => m.Id == id)
        ?? throw new DomainException(DomainError.NotFound, $"meeting {id} is not this meeting's or one of its breakout rooms");

    private static void RequireAlter(GroupActor by, string what)
    {
        if (!by.CanAlter)
        {
            throw new DomainException(DomainError.Forbidden, $"your preset may not {what} (connected_meetings.can_alter_connected_meetings)");
        }
    }

    private static void Authorize(GroupActor by, IReadOnlyList<MoveOrder> who, bool toParent)
    {
        if (by.CanAlter)
        {
            return;
        }

        if (who.Count != 1 || who[0].ParticipantId != by.Participant.Id || who[0].PresetId is not null)
        {
            throw new DomainException(DomainError.Forbidden, "your preset may move only yourself, under your own preset (connected_meetings.can_alter_connected_meetings)");
        }

        if (toParent ? !by.CanSwitchToParent : !by.CanSwitch)
        {
            throw new DomainException(DomainError.Forbidden, toParent
                ? "your preset may not go back to the main meeting (connected_meetings.can_switch_to_parent_meeting)"
                : "your preset may not go into breakout rooms (connected_meetings.can_switch_connected_meetings)");
        }
    }

    /// <summary>The participants named that are to move (those on their way there already are left out); throws naming one that cannot.</summary>
    private List<MoveOrder> Moving(string group, string sourceId, IReadOnlyList<GroupMember> inSource, string destinationId, IReadOnlyList<MoveOrder> who)
    {
        List<MoveOrder> moving = [];
        foreach (var order in who.DistinctBy(w => w.ParticipantId))
        {
            var peers = inSource.Where(p => p.Participant.Id == order.ParticipantId).ToList();
            if (peers.Count == 0)
            {
                if (transits.Going(group, order.ParticipantId, destinationId))
                {
                    continue;
                }

                throw new DomainException(DomainError.NotFound, $"participant {order.ParticipantId} is not in meeting {sourceId}");
            }

            if (peers.Any(p => !p.Connected))
            {
                throw new DomainException(DomainError.Conflict, $"participant {order.ParticipantId} is reconnecting; move it once it is back");
            }

            moving.Add(order);
        }

        return moving;
    }

    private async Task<Meeting> ParentOfAsync(Meeting meeting, CancellationToken cancellationToken) =>
        meeting.ParentMeetingId is { } parentId ? await store.FindAsync(parentId, cancellationToken).ConfigureAwait(false) ?? meeting : meeting;

    private async Task<IReadOnlyList<Meeting>> FindAllAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        List<Meeting> found = [];
        foreach (string id in ids)
        {
            found.Add(await store.FindAsync(id, cancellationToken).ConfigureAwait(false)
                ?? throw new DomainException(DomainError.NotFound, $"meeting {id} no longer exists"));
        }

        return found;
    }

    private async Task<ConnectedMeetingsView> ViewHereAsync(Meeting parent, IReadOnlyList<Meeting> children, CancellationToken cancellationToken)
    {
        var peers = await PeersAsync([parent.Id, .. children.Select(c => c.Id)], cancellationToken).ConfigureAwait(false);
        return new(View(parent.Id, parent, peers), [.. children.Select(c => View(parent.Id, c, peers))]);
    }

    /// <summary>
    /// A meeting of the group with its participants now, each once (a participant with two tabs open is one), hidden
    /// ones left out, and those on their way into it.
    /// </summary>
    private ConnectedMeetingView View(string group, Meeting meeting, Dictionary<string, IReadOnlyList<GroupMember>> peers)
    {
        var present = (peers.GetValueOrDefault(meeting.Id) ?? []).Where(p => !p.Hidden).DistinctBy(p => p.Participant.Id).ToList();
        var coming = transits.To(group, meeting.Id, [.. present.Select(p => p.Participant.Id)]);
        return new(meeting.Id, meeting.Title ?? "", [.. present.Select(p => new ConnectedMeetingMember(p.Participant, p.Name)), .. coming.Select(t => new ConnectedMeetingMember(t.To, t.Name))]);
    }

    /// <summary>The peers of each of the meetings named, wherever its room lives.</summary>
    private async Task<Dictionary<string, IReadOnlyList<GroupMember>>> PeersAsync(IEnumerable<string> meetingIds, CancellationToken cancellationToken)
    {
        Dictionary<string, IReadOnlyList<GroupMember>> peers = new(StringComparer.Ordinal);
        foreach (var (node, here) in await PlacesAsync(meetingIds, cancellationToken).ConfigureAwait(false))
        {
            var found = node is null
                ? PeersHere(here)
                : (await AskAsync(node, new GroupRequest(GroupOp.Peers, here[0]) { Ids = here }, cancellationToken).ConfigureAwait(false)).Peers ?? [];
            foreach (var meeting in found.GroupBy(p => p.MeetingId))
            {
                peers[meeting.Key] = [.. meeting];
            }
        }

        return peers;
    }

    private IReadOnlyList<GroupMember> PeersHere(IReadOnlyList<string> meetingIds) =>
        [.. meetingIds.SelectMany(id => (rooms.Find(id)?.Peers ?? []).Select(p => new GroupMember(id, GroupActor.Shown(p.Participant), p.Name, p.Hidden, p.Client is not null)))];

    private int DeliverHere(IReadOnlyList<string> meetingIds, GroupMessage message)
    {
        var sent = new AppMessage(message.Type, message.Payload, message.From.StandIn(), message.SentAt);
        return meetingIds.Sum(id => rooms.Find(id)?.AppMessages.Deliver(sent) ?? 0);
    }

    /// <summary>
    /// Tells the peers of the meetings named: those here at once, those on other nodes through their node. Best effort
    /// past this node: the change is made, and a peer on a node that did not answer reads the group when it next asks.
    /// </summary>
    private async Task TellAsync(IEnumerable<Meeting> group, RoomEvent change, CancellationToken cancellationToken)
    {
        foreach (var (node, here) in await PlacesAsync(group.Select(m => m.Id), cancellationToken).ConfigureAwait(false))
        {
            if (node is null)
            {
                foreach (string id in here)
                {
                    rooms.Find(id)?.Publish(change);
                }

                continue;
            }

            try
            {
                await AskAsync(node, new GroupRequest(GroupOp.Tell, here[0]) { Ids = here, Event = Wire(change) }, cancellationToken).ConfigureAwait(false);
            }
            catch (DomainException ex) when (ex.Error == DomainError.Unavailable)
            {
                Log.NotTold(logger, node, ex.Message);
            }
        }
    }

    private static GroupEvent Wire(RoomEvent change) => change switch
    {
        ConnectedRoomsUpdated made => new GroupEvent([.. made.Rooms.Select(m => m.Id)], null, null),
        ConnectedRoomsDeleted closed => new GroupEvent(null, [.. closed.Rooms.Select(m => m.Id)], null),
        ConnectedMeetingsChanged changed => new GroupEvent(null, null, changed.Group),
        _ => throw new ArgumentException($"{change.GetType().Name} is no change of a group", nameof(change)),
    };

    private async Task<RoomEvent> EventOfAsync(GroupEvent change, CancellationToken cancellationToken) => change switch
    {
        { Made: { } made } => new ConnectedRoomsUpdated(await FindAllAsync(made, cancellationToken).ConfigureAwait(false)),
        { Closed: { } closed } => new ConnectedRoomsDeleted(await FindAllAsync(closed, cancellationToken).ConfigureAwait(false)),
        { Group: { } view } => new ConnectedMeetingsChanged(view),
        _ => throw new DomainException(DomainError.BadRequest, "a change of a group names what changed"),
    };

    /// <summary>The meetings named, grouped by where their rooms live: another node (its id), or here (null: here, or nowhere yet).</summary>
    private async Task<List<(string? Node, IReadOnlyList<string> Ids)>> PlacesAsync(IEnumerable<string> meetingIds, CancellationToken cancellationToken)
    {
        Dictionary<string, List<string>> byNode = new(StringComparer.Ordinal);
        foreach (string id in meetingIds)
        {
            string node = await NodeOfAsync(id, cancellationToken).ConfigureAwait(false) ?? "";
            if (!byNode.TryGetValue(node, out var ids))
            {
                byNode[node] = ids = [];
            }

            ids.Add(id);
        }

        return [.. byNode.Select(p => (p.Key.Length == 0 ? null : p.Key, (IReadOnlyList<string>)p.Value))];
    }

    /// <summary>The node a meeting's room lives on when it is another one; null when it is here, or nowhere yet.</summary>
    private async ValueTask<string?> NodeOfAsync(string meetingId, CancellationToken cancellationToken) =>
        nodes is null || rooms.Find(meetingId) is not null ? null : await nodes.OtherNodeOfAsync(meetingId, cancellationToken).ConfigureAwait(false);

    private Task<GroupAnswer> AskAsync(string node, GroupRequest request, CancellationToken cancellationToken) => nodes!.AskAsync(node, request, cancellationToken);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Node {Node} was not told of a change of a group of breakout rooms: {Reason}")]
        public static partial void NotTold(ILogger logger, string node, string reason);
    }
}
