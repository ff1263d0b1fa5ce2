namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// What a room's components (<see cref="RoomChat"/>, <see cref="RoomPolls"/>, <see cref="RoomPlugins"/>,
/// <see cref="RoomStage"/>, <see cref="RoomAppMessages"/>) know of their room: its meeting, the session in progress, who
/// is present and how to tell them. The room implements it over its peers and session, which stay its own; a test
/// implements it with a list of peers. Nothing here waits for the room's lock.
/// </summary>
internal interface IRoomPresence
{
    string MeetingId { get; }

    /// <summary>The session in progress; null before the first join and after the end.</summary>
    string? SessionId { get; }

    /// <summary>The peers present now (connected or within their reconnect grace): a snapshot, read without a lock.</summary>
    IReadOnlyList<RoomPeer> Peers { get; }

    /// <summary>Tells the connected peers that <paramref name="to"/> picks (all when null), but <paramref name="except"/>; never waits for a client.</summary>
    void Publish(RoomEvent change, RoomPeer? except, Func<RoomPeer, bool>? to);
}
