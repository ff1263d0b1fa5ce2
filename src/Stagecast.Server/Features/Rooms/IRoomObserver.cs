using Stagecast.Streaming;

namespace Stagecast.Server.Features.Rooms;

/// <summary>
/// What a meeting room tells those that follow it: a peer left (leave, kick, reconnect grace over, session end), so
/// what it had in the room (its media) ends with it; a peer left the stage (it left, or a host sent it off), so what it
/// produced ends while what it watches goes on; a peer changed (its name, or a host changed its permissions); the
/// meeting's record changed (a PATCH or PUT of the meeting); a line said in it was captioned (transcription heard it).
/// Called under the room's lock, or as it is released: an observer must not wait for the room.
/// </summary>
public interface IRoomObserver
{
    void OnPeerLeft(MeetingRoom room, RoomPeer peer)
    {
    }

    void OnPeerLeftStage(MeetingRoom room, RoomPeer peer)
    {
    }

    void OnPeerChanged(MeetingRoom room, RoomPeer peer)
    {
    }

    void OnMeetingChanged(MeetingRoom room)
    {
    }

    void OnCaptioned(MeetingRoom room, TimedTextCue cue)
    {
    }
}
