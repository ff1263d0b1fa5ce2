using Stagecast.Server.Features.Meetings;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// One connection's way into its meeting's room, the same for every front end (the JSON channel and RealtimeKit's
/// socket drive it, and each words its steps in its own protocol): from outside it enters (a new peer, or one it
/// resumes) or waits in the waiting room (<see cref="Waiting"/>) until a host decides (<see cref="DecidedAsync"/>); let
/// in, it enters the meeting it waited for (at once on the JSON channel, when its client joins again on RealtimeKit's);
/// turned away (<see cref="Rejected"/>), it is held out. A connection that closes while waiting gives its place up
/// (<see cref="GiveUp"/>). A connection whose token a move gave (<paramref name="movedUntil"/>: a host sent the person
/// here from another meeting of its group, where it was let in) waits in no waiting room until then.
/// </summary>
public sealed class RoomEntry(MeetingRooms rooms, string meetingId, DateTimeOffset? movedUntil = null)
{
    private Waitlist.Waiter? _waiting;
    private Meeting? _waitingIn;
    private volatile bool _letIn;
    private volatile bool _rejected;

    /// <summary>Its place in the waiting room while a host has not decided.</summary>
    public Waitlist.Waiter? Waiting => Volatile.Read(ref _waiting);

    /// <summary>The meeting it waits (or waited) to be let into.</summary>
    public Meeting? WaitingIn => Volatile.Read(ref _waitingIn);

    /// <summary>A host turned it away.</summary>
    public bool Rejected => _rejected;

    /// <summary>
    /// Enters the room as <paramref name="client"/>, or waits to be let in; once let in, enters the meeting it waited for
    /// (the waiting room is passed). Not while it waits: the front end answers that in its own words.
    /// </summary>
    public async Task<Admission> AdmitAsync(IRoomClient client, string accountId, string? name, string? resumePeerId)
    {
        var admission = _letIn && WaitingIn is { } meeting
            ? await rooms.EnterAsync(meeting, accountId, client, name, resumePeerId).ConfigureAwait(false)
            : await rooms.AdmitAsync(client, accountId, name, resumePeerId, movedUntil).ConfigureAwait(false);
        if (admission is Admission.Waiting waiting)
        {
            Volatile.Write(ref _waitingIn, waiting.Meeting);
            Volatile.Write(ref _waiting, waiting.Waiter);
        }

        return admission;
    }

    /// <summary>A host's decision on its wait (or the wait's end: replaced by a newer connection, given up); it is no longer waiting then.</summary>
    public async Task<WaitDecision> DecidedAsync(Admission.Waiting waiting)
    {
        var decision = await waiting.Waiter.Decision.Task.ConfigureAwait(false);
        Interlocked.CompareExchange(ref _waiting, null, waiting.Waiter);
        _letIn |= decision == WaitDecision.Accepted;
        _rejected |= decision == WaitDecision.Rejected;
        return decision;
    }

    /// <summary>The connection closed: a place in the waiting room is given up.</summary>
    public void GiveUp()
    {
        if (Interlocked.Exchange(ref _waiting, null) is { } waiter)
        {
            rooms.WaitlistOf(meetingId).Remove(waiter);
        }
    }
}
