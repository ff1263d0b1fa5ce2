namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// Learns that a peer left a meeting room, whatever the reason (leave, kick, reconnect grace over, session end), so
/// what it had in the room (its media) ends with it; and that a peer left the stage (it left, or a host sent it off),
/// so what it produced ends, while what it watches goes on. Called under the room's lock: it must not wait for the room.
/// </summary>
public interface IRoomPeerObserver
{
    void OnPeerLeft(MeetingRoom room, RoomPeer peer);

    void OnPeerLeftStage(MeetingRoom room, RoomPeer peer)
    {
    }
}
