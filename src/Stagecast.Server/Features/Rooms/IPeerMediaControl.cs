namespace Stagecast.Server.Features.Rooms;

/// <summary>What a peer may say about its own media (meeting media provides it): which of its tracks it muted.</summary>
public interface IPeerMediaControl
{
    /// <summary>Mutes (false) or unmutes (true) the peer's camera audio or video; null leaves a track as it is.</summary>
    Task SetMutedAsync(MeetingRoom room, RoomPeer peer, bool? audioEnabled, bool? videoEnabled);
}
