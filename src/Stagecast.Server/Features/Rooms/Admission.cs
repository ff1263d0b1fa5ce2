using Stagecast.Server.Features.Meetings;

namespace Stagecast.Server.Features.Rooms;

/// <summary>How a participant's request to enter a meeting went (<see cref="MeetingRooms.AdmitAsync"/>).</summary>
public abstract record Admission
{
    /// <summary>It is a peer of the room now: a new one, or the one it was before a reconnect (<paramref name="Resumed"/>).</summary>
    public sealed record Entered(MeetingRoom Room, RoomPeer Peer, bool Resumed) : Admission;

    /// <summary>
    /// It waits in the meeting's waiting room until a host decides (<see cref="Waitlist.Waiter.Decision"/>); once let in,
    /// it enters with <see cref="MeetingRooms.EnterAsync"/>.
    /// </summary>
    public sealed record Waiting(Meeting Meeting, Waitlist.Waiter Waiter) : Admission;
}
