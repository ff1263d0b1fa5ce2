using Stagecast.Server.Features.Meetings;
using Stagecast.Server.Hosting;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// Breakout rooms (RealtimeKit's connected meetings): a meeting's rooms are meetings of the same app with it as their
/// parent, each with its own room, session, chat and recordings. A group is a parent and its active rooms; a room
/// made from inside a room hangs from the same parent (rooms have no rooms). Front ends read the group and ask for
/// rooms here; every peer of the group hears of new rooms (<see cref="ConnectedRoomsUpdated"/>).
/// </summary>
public sealed class ConnectedMeetings(IMeetingStore store, MeetingService meetings, MeetingRooms rooms) : IDisposable
{
    /// <summary>Active rooms a meeting may have at once.</summary>
    public const int MaxRooms = 50;

    private readonly SemaphoreSlim _changes = new(1, 1); // creations are rare; one at a time keeps the count honest

    /// <summary>The group <paramref name="meeting"/> is in: its parent (or itself) and the parent's active rooms, with the participants in each now.</summary>
    public async Task<ConnectedMeetingsView> ViewAsync(Meeting meeting, CancellationToken cancellationToken)
    {
        var parent = await ParentOfAsync(meeting, cancellationToken).ConfigureAwait(false);
        var children = await store.ListChildrenAsync(parent.Id, cancellationToken).ConfigureAwait(false);
        return new ConnectedMeetingsView(View(parent), [.. children.Select(View)]);
    }

    /// <summary>
    /// Makes rooms titled <paramref name="titles"/> (in that order) in the group of <paramref name="from"/>; every peer
    /// of the group is told before the rooms are returned, so the one who asked knows them when it moves people in.
    /// </summary>
    public async Task<IReadOnlyList<Meeting>> CreateAsync(Meeting from, IReadOnlyList<string> titles, CancellationToken cancellationToken)
    {
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

    public void Dispose() => _changes.Dispose();

    private async Task<Meeting> ParentOfAsync(Meeting meeting, CancellationToken cancellationToken) =>
        meeting.ParentMeetingId is { } parentId ? await store.FindAsync(parentId, cancellationToken).ConfigureAwait(false) ?? meeting : meeting;

    /// <summary>A meeting of the group with its participants now, each once (a participant with two tabs open is one), hidden ones left out.</summary>
    private ConnectedMeetingView View(Meeting meeting) =>
        new(meeting.Id, meeting.Title ?? "", [.. (rooms.Find(meeting.Id)?.Peers ?? []).Where(p => !p.Hidden).DistinctBy(p => p.Participant.Id)]);

    private void Tell(IEnumerable<Meeting> group, RoomEvent change)
    {
        foreach (var meeting in group)
        {
            rooms.Find(meeting.Id)?.Publish(change);
        }
    }
}

/// <summary>A group of connected meetings: the parent and its rooms.</summary>
public sealed record ConnectedMeetingsView(ConnectedMeetingView Parent, IReadOnlyList<ConnectedMeetingView> Rooms);

/// <summary>A meeting of a group and the peers in it, one per participant.</summary>
public sealed record ConnectedMeetingView(string Id, string Title, IReadOnlyList<RoomPeer> Peers);
