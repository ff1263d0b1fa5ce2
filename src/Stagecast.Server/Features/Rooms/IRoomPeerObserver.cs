namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// Learns that a peer left a meeting room, whatever the reason (leave, kick, reconnect grace over, session end), so
/// what it had in the room (its media) ends with it. Called under the room's lock: it must not wait for the room.
/// </summary>
public interface IRoomPeerObserver
{
    void OnPeerLeft(MeetingRoom room, RoomPeer peer);
}
